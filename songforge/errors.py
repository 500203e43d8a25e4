"""The one error type users see, and the location helper that makes every message name file, item, field."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Where:
    """A place in an input: file, item (id or line number of a batch), and finer parts (line, word)."""

    file: str = "<input>"
    item: str | None = None
    parts: tuple[str, ...] = ()

    def at(self, *parts: str) -> "Where":
        return Where(self.file, self.item, self.parts + tuple(parts))

    def with_item(self, item: str) -> "Where":
        return Where(self.file, item, self.parts)

    def __str__(self) -> str:
        bits = [self.file]
        if self.item:
            bits.append(self.item)
        bits.extend(self.parts)
        return ": ".join(bits)


class SpecError(Exception):
    """A problem with an input, reported as one line: `file: item: part: field 'x': message`."""

    def __init__(self, where: Where, field: str | None, message: str, severity: str = "error"):
        self.where = where
        self.field = field
        self.message = message
        self.severity = severity
        super().__init__(str(self))

    def __reduce__(self):  # picklable (a Song's warnings travel to render processes): rebuilt from its fields
        return (type(self), (self.where, self.field, self.message, self.severity))

    def __str__(self) -> str:
        fld = f"field '{self.field}': " if self.field else ""
        prefix = f"{self.severity}: " if self.severity in ("warning", "note") else ""
        return " ".join(f"{prefix}{self.where}: {fld}{self.message}".splitlines())  # always one line
