"""Which files a song file may name (a JAM manifest's lyric file, a reference recording, ...), in one place.

A user's own files (the command line) are looked for the way other systems' users write paths: next to the file
that names them, then from the working directory, then from each folder above the file. A confined reader (the
server, or `--files-from DIR`) accepts only relative names inside its roots: absolute paths, `..`, symlinks that
lead out of a root and names that do not exist all get the same answer, so the answer reveals nothing about the
machine's other files."""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import SpecError, Where


@dataclass(frozen=True)
class FileAccess:
    """`roots` empty: a user's own files, searched leniently. Otherwise only files inside these folders, which
    a refusal calls `named` (the server: "the files sent with this request", never its own paths)."""
    roots: tuple[str, ...] = ()
    named: str = "the files sent with this request"

    @property
    def confined(self) -> bool:
        return bool(self.roots)

    def find(self, path: str, base_dir: str, where: Where, field: str) -> str:
        """The existing file `path` names, as written in the file at `base_dir`. Raises SpecError."""
        if self.confined:
            return self._inside(path, where, field)
        return _search(path, base_dir, where, field)

    def resolve(self, path: str | None, base_dir: str, where: Where, field: str) -> str | None:
        """`path` relative to `base_dir` without searching (songforge's own format: validation says if it is
        missing); confined, the same check as `find`."""
        if path is None:
            return None
        if self.confined:
            return self._inside(path, where, field)
        return os.path.normpath(os.path.join(base_dir, os.path.expanduser(path)))

    def _inside(self, path: str, where: Where, field: str) -> str:
        name = path.replace("\\", "/")
        parts = name.split("/")
        if not os.path.isabs(name) and not name.startswith("~") and ".." not in parts and name.strip():
            for root in self.roots:
                real_root = os.path.realpath(root)
                cand = os.path.realpath(os.path.join(real_root, *parts))
                if os.path.commonpath([real_root, cand]) == real_root and os.path.isfile(cand):
                    return cand
        raise SpecError(where, field, f"{path!r} is not among {self.named}")


LOCAL = FileAccess()


def _search(path: str, base_dir: str, where: Where, field: str) -> str:
    p = os.path.expanduser(path)
    if os.path.isabs(p):
        bases = [""]
    else:
        bases, d = [base_dir, os.getcwd()], base_dir
        while os.path.dirname(d) != d:
            d = os.path.dirname(d)
            bases.append(d)
    seen: list[str] = []
    for b in bases:
        c = os.path.normpath(os.path.join(b, p))
        if c in seen:
            continue
        if os.path.exists(c):
            return c
        seen.append(c)
    looked = ", ".join(dict.fromkeys(b or "/" for b in bases))
    raise SpecError(where, field, f"file not found: {path} (looked relative to: {looked})")
