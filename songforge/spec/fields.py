"""Typed field access for parsed JSON/YAML: every failure becomes a SpecError naming the field."""
from __future__ import annotations

import math
from typing import Any

from ..errors import SpecError, Where

_MISSING = object()


def obj(value: Any, where: Where, what: str) -> dict:
    if not isinstance(value, dict):
        raise SpecError(where, None, f"expected {what} (a JSON object), got {_kind(value)}")
    return value


def known_keys(d: dict, allowed: tuple[str, ...], where: Where) -> None:
    for k in d:
        if k not in allowed:
            raise SpecError(where, str(k), f"unknown field (expected one of: {', '.join(allowed)})")


def _present(d: dict, key: str, where: Where, default: Any) -> tuple[bool, Any]:
    """(True, value) when `key` holds a value; (False, default) when absent or null and a default exists."""
    v = d.get(key, _MISSING)
    if v is _MISSING or v is None:
        if default is _MISSING:
            raise SpecError(where, key, "missing (required)")
        return False, default
    return True, v


def get_str(d: dict, key: str, where: Where, default: Any = _MISSING, nonempty: bool = False) -> Any:
    ok, v = _present(d, key, where, default)
    if not ok:
        return v
    if not isinstance(v, str):
        raise SpecError(where, key, f"expected text, got {_kind(v)}")
    if nonempty and not v.strip():
        raise SpecError(where, key, "is empty")
    return v


def get_num(d: dict, key: str, where: Where, default: Any = _MISSING) -> Any:
    ok, v = _present(d, key, where, default)
    return as_num(v, where, key) if ok else v


def as_num(v: Any, where: Where, key: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        if isinstance(v, str):
            try:
                f = float(v)
            except ValueError:
                raise SpecError(where, key, f"expected a number, got text {v[:30]!r}") from None
            if math.isfinite(f):
                return f
        raise SpecError(where, key, f"expected a number, got {_kind(v)}")
    f = float(v)
    if not math.isfinite(f):
        raise SpecError(where, key, f"expected a finite number, got {v}")
    return f


def get_int(d: dict, key: str, where: Where, default: Any = _MISSING) -> Any:
    v = get_num(d, key, where, default)
    if v is default:
        return v
    if v != int(v):
        raise SpecError(where, key, f"expected a whole number, got {v}")
    return int(v)


def get_list(d: dict, key: str, where: Where, default: Any = _MISSING) -> Any:
    ok, v = _present(d, key, where, default)
    if not ok:
        return v
    if not isinstance(v, list):
        raise SpecError(where, key, f"expected a list, got {_kind(v)}")
    return v


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(type(v), type(v).__name__)
