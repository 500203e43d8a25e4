"""Helpers shared by the readers and writers: tags, bpm in style text, paths, JSON text."""
from __future__ import annotations

import json
import os
import re
import unicodedata

from ...errors import SpecError, Where
from ..song import INSTRUMENTAL_KINDS, LENGTHS, SECTION_KINDS, Line, Section, Word
from ..words import normalize_lyrics, split_words

_BPM = re.compile(r"^\s*(?:the\s+)?(?:bpm\s+is\s+|tempo\s+)?(\d{2,3}(?:\.\d+)?)\s*(?:bpm)?\s*$", re.IGNORECASE)
_TAG_ALIASES = {"pre-chorus": "prechorus", "pre_chorus": "prechorus", "pre chorus": "prechorus",
                "instrumental": "inst", "interlude": "inst", "break": "inst", "instrumental break": "inst",
                "hook": "chorus", "refrain": "chorus", "post-chorus": "chorus", "postchorus": "chorus",
                "end": "outro", "ending": "outro", "coda": "outro"}
_TAG_DESCRIPTOR = re.compile(r"\s+[-–—:]\s*.*$|\s*[–—:(（].*$")  # "Intro – Spoken", "Chorus (x2)" -> the kind
_TAGLINE = re.compile(r"^\s*(?:#+\s*)?(?:\*\*|__|\*|_)?\s*\[([^\]]*)\]\s*(?:\*\*|__|\*|_)?\s*(.*)$")
_PAREN_TAGLINE = re.compile(r"^\s*(?:#+\s*)?(?:\*\*|__)?\s*[(（]([^)）]*)[)）]\s*(?:\*\*|__)?\s*$")
_ANNOTATION = re.compile(r"^[(（][^)）]*[)）]$")


def per_item(items: list, where: Where, label: str | None, parse) -> list:
    """`parse(item, where, index)` for each item; a SpecError stays with its item so the batch goes on."""
    out = []
    for i, d in enumerate(items):
        try:
            out.append(parse(d, where.with_item(f"{label} {i + 1}") if label else where, i))
        except SpecError as e:
            out.append(e)
    return out


def split_style(text: str) -> tuple[tuple[str, ...], float | None]:
    """'pop, 120 bpm, warm' -> (('pop', 'warm'), 120.0). A tag that is only a tempo becomes the bpm."""
    tags, bpm = [], None
    for part in text.split(","):
        p = part.strip().rstrip(".。!！;；").strip()  # SongGeneration ends its descriptions with a period
        if not p:
            continue
        m = _BPM.match(p)
        if m and ("bpm" in p.lower() or "tempo" in p.lower()):
            bpm = float(m.group(1))
        else:
            tags.append(p)
    return tuple(tags), bpm


def join_style(tags: tuple[str, ...], bpm: float | None, levo: bool = False) -> str:
    parts = list(tags)
    if bpm is not None:
        b = f"{bpm:g}"
        parts.append(f"the bpm is {b}" if levo else f"{b} bpm")
    return ", ".join(parts)


def parse_tag(tag: str, where: Where, field: str) -> tuple[str, str | None]:
    """'intro-short' -> ('intro', 'short'); 'Verse 2', 'verse1', 'Hook/Chorus', 'Intro – Spoken' -> the kind.
    Unknown tags are errors naming the known ones."""
    kind_length = _tag_kind(tag)
    shown = tag.strip().strip("[]").strip()
    if kind_length is None:
        raise SpecError(where, field, f"unknown section tag [{shown}] "
                        f"(known: {', '.join(SECTION_KINDS)}, and hook, refrain, pre-chorus, interlude, break; "
                        "lengths -short/-medium/-long)")
    kind, length = kind_length
    if length and kind not in INSTRUMENTAL_KINDS:
        raise SpecError(where, field, f"section tag [{shown}]: only instrumental sections take a length")
    return kind, length


def _tag_kind(tag: str) -> tuple[str, str | None] | None:
    t = unicodedata.normalize("NFKC", tag).strip(" \t*#_").strip("[]").strip().lower()
    alts = [t] + [a.strip() for a in t.split("/")]
    for alt in alts + [_TAG_DESCRIPTOR.sub("", a) for a in alts] + [a.split()[0] for a in alts if a.split()]:
        a = _TAG_ALIASES.get(alt, alt)
        a = re.sub(r"\s*\d+$", "", a.strip())  # "verse 2", "verse1"
        a = _TAG_ALIASES.get(a, a)
        kind, _, length = a.partition("-")
        kind = _TAG_ALIASES.get(kind, kind)
        if kind in SECTION_KINDS and (not length or length in LENGTHS):
            return kind, (length or None)
    return None


def parse_tagged_lyrics(text: str, where: Where, field: str = "lyrics") -> tuple[tuple[Section, ...], list[str]]:
    """Lyrics as ACE-Step and YuE write them: `[tag]` lines (also markdown `### **[Verse 1]**` or `(Chorus)`)
    opening sections, one lyric line per line. Returns (sections, notes). Lines before any tag form a verse;
    lyrics under intro/outro/inst tags are sung (noted); an annotation after a tag (`[chorus] (repeat)`) is dropped
    (noted). A song whose tags are all instrumental is an instrumental (no sections with lines)."""
    sections: list[tuple[str, str | None, list[Line]]] = []
    notes: list[str] = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        m = _TAGLINE.match(raw)
        pm = None if m else _PAREN_TAGLINE.match(raw)
        if pm and _tag_kind(pm.group(1)) is None:
            pm = None  # "(oh yeah)" alone on a line is sung
        if m or pm:
            kind, length = parse_tag((m or pm).group(1), where.at(f"{field} line {n}"), field)
            sections.append((kind, length, []))
            rest = normalize_lyrics(m.group(2)).strip() if m else ""
            if rest and _ANNOTATION.match(rest):
                notes.append(f"line {n}: {rest!r} after the tag is an annotation, not sung")
                rest = ""
            if not rest:
                continue
            raw = rest
        if not sections:
            sections.append(("verse", None, []))
        words = tuple(Word(w) for w in split_words(normalize_lyrics(raw)))
        if words:
            sections[-1][2].append(Line(words))
    sung_instr = sorted({k for k, _, lines in sections if k in INSTRUMENTAL_KINDS and lines})
    if sung_instr:
        notes.append(f"lyrics under [{'], ['.join(sung_instr)}] are sung")
    if not sections:
        raise SpecError(where, field, "no lyrics and no section tags")
    for kind, _, lines in sections:
        if kind not in INSTRUMENTAL_KINDS and not lines:
            notes.append(f"section [{kind}] has no lyrics: played as an instrumental break")
    out = tuple(Section(k if lines or k in INSTRUMENTAL_KINDS else "inst", tuple(lines), ln) for k, ln, lines in sections)
    return out, notes


def tagged_lyrics(spec) -> str:
    """The inverse of parse_tagged_lyrics: `[tag]` blocks separated by blank lines (`[inst]` for an empty instrumental)."""
    blocks = ["[" + sec.tag + "]" + "".join("\n" + ln.text for ln in sec.lines) for sec in spec.sections]
    return "\n\n".join(blocks or ["[inst]"])


def foreign_keys(d: dict, used: tuple[str, ...], known: tuple[str, ...] = ()) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """Keys another system wrote that songforge does not use: kept as (key, JSON) metadata, named in one note.
    `known` keys are that system's own settings (kept silently)."""
    extra = [k for k in d if k not in used]
    meta = tuple((str(k), json.dumps(d[k], ensure_ascii=False)) for k in extra)
    unknown = [str(k) for k in extra if k not in known]
    notes = [f"kept as metadata, not used: {', '.join(unknown)}"] if unknown else []
    return meta, notes


def relative(path: str | None, out_dir: str) -> str | None:
    if path is None:
        return None
    try:
        return os.path.relpath(path, out_dir)
    except ValueError:  # different drive
        return path


def read_text(path: str, where: Where) -> str:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise SpecError(where, None, f"file not found: {path}") from None
    except IsADirectoryError:
        raise SpecError(where, None, f"is a folder, expected a file: {path}") from None
    except OSError as e:
        raise SpecError(where, None, f"cannot read {path}: {e.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SpecError(where, None, f"not UTF-8 text (byte {e.start})") from None


def parse_json(text: str, where: Where):
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise SpecError(where, None, f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise SpecError(where, None, "invalid JSON: nested too deeply") from None


def dump_json(obj, path: str, jsonl: bool = False) -> None:
    if jsonl:
        text = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in obj)
    else:
        text = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
    write_atomic(path, text)


def write_atomic(path: str, text: str) -> None:
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    tmp = os.path.join(d, f".{os.path.basename(path)}.tmp{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
