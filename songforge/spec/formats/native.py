"""songforge's own spec (JSON or YAML): the superset every other format converts into without loss."""
from __future__ import annotations

import json
import os

import yaml

from ...errors import SpecError, Where
from ..fields import as_num, get_int, get_list, get_num, get_str, known_keys, obj
from ..language import SUNG
from ..song import Chord, Controls, DrumHit, Generation, Line, Note, Section, SongSpec, Style, Word
from ..words import split_words
from ..files import LOCAL, FileAccess
from .common import dump_json, per_item, parse_json, parse_tag, read_text, relative, write_atomic

SONG_KEYS = ("id", "duration", "sections", "style", "controls", "generation", "instrumental", "metadata")


def read(path: str, files: FileAccess = LOCAL) -> list[SongSpec | SpecError]:
    where = Where(path)
    text = read_text(path, where)
    if not path.lower().endswith(".json"):  # .yaml, or YAML found by its content
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            at = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
            raise SpecError(where, None, f"invalid YAML{at}: {getattr(e, 'problem', None) or e}") from None
        except RecursionError:
            raise SpecError(where, None, "invalid YAML: nested too deeply") from None
    else:
        doc = parse_json(text, where)
    items = doc if isinstance(doc, list) else [doc]
    base = os.path.dirname(os.path.abspath(path))
    return per_item(items, where, "song", lambda d, w, _: from_dict(d, w, base, files))


def from_dict(d, where: Where, base_dir: str, files: FileAccess = LOCAL) -> SongSpec:
    d = obj(d, where, "a song")
    if isinstance(d.get("id"), str) and d["id"]:
        where = where.with_item(f"id '{d['id']}'")
    known_keys(d, SONG_KEYS, where)
    sid = get_str(d, "id", where, nonempty=True)
    sections = tuple(_section(s, where.at(f"section {i + 1}"))
                     for i, s in enumerate(get_list(d, "sections", where)))
    st = obj(d.get("style", {}) or {}, where.at("style"), "style")
    known_keys(st, ("tags", "text", "reference_audio", "voice_reference", "auto_prompt", "voice_engine"),
               where.at("style"))
    tags = get_list(st, "tags", where.at("style"), [])
    for i, t in enumerate(tags):
        if not isinstance(t, str):
            raise SpecError(where.at("style"), f"tags[{i}]", "expected text")
    style = Style(tuple(tags), get_str(st, "text", where.at("style"), None),
                  files.resolve(get_str(st, "reference_audio", where.at("style"), None), base_dir, where.at("style"),
                                "reference_audio"),
                  files.resolve(get_str(st, "voice_reference", where.at("style"), None), base_dir, where.at("style"),
                                "voice_reference"),
                  get_str(st, "auto_prompt", where.at("style"), None), _voice_engine(st, where.at("style")))
    instrumental = d.get("instrumental", False)
    if not isinstance(instrumental, bool):
        raise SpecError(where, "instrumental", f"expected true or false, got {instrumental!r:.30}")
    meta = obj(d.get("metadata", {}) or {}, where.at("metadata"), "metadata (free-form key: value)")
    return SongSpec(sid, sections, get_num(d, "duration", where, None), style,
                    _controls(d.get("controls", {}) or {}, where.at("controls")),
                    _generation(d.get("generation", {}) or {}, where.at("generation")), instrumental,
                    tuple((str(k), json.dumps(v, ensure_ascii=False)) for k, v in meta.items()),
                    source=where.file, item=where.item)


VOICE_ENGINES = ("neural", "espeak")


def _voice_engine(st: dict, where: Where) -> str | None:
    engine = get_str(st, "voice_engine", where, None)
    if engine is not None and engine not in VOICE_ENGINES:
        raise SpecError(where, "voice_engine", f"expected one of {', '.join(VOICE_ENGINES)}, got {engine!r:.30}")
    return engine


def _section(s, where: Where) -> Section:
    s = obj(s, where, "a section")
    known_keys(s, ("tag", "lines"), where)
    kind, length = parse_tag(get_str(s, "tag", where, nonempty=True), where, "tag")
    lines = []
    for i, ln in enumerate(get_list(s, "lines", where, [])):
        lw = where.at(f"line {i + 1}")
        if isinstance(ln, str):
            lines.append(Line(tuple(Word(t) for t in split_words(ln))))
            continue
        ln = obj(ln, lw, "a line (text or object)")
        known_keys(ln, ("text", "words", "language", "start", "end"), lw)
        if "words" in ln and "text" in ln:
            raise SpecError(lw, "text", "give either 'text' or 'words', not both")
        if "words" in ln:
            words = tuple(_word(w, lw.at(f"word {j + 1}")) for j, w in enumerate(get_list(ln, "words", lw)))
        else:
            words = tuple(Word(t) for t in split_words(get_str(ln, "text", lw)))
        lang = get_str(ln, "language", lw, None)
        if lang is not None and lang not in SUNG:
            raise SpecError(lw, "language", f"unsupported language {lang!r} (supported: {', '.join(SUNG)})")
        lines.append(Line(words, lang, get_num(ln, "start", lw, None), get_num(ln, "end", lw, None)))
    return Section(kind, tuple(lines), length)


def _word(w, where: Where) -> Word:
    if isinstance(w, str):
        return Word(w)
    w = obj(w, where, "a word")
    known_keys(w, ("word", "start", "end", "phonemes"), where)
    ph = get_list(w, "phonemes", where, None)
    if ph is not None and not all(isinstance(p, str) for p in ph):
        raise SpecError(where, "phonemes", "expected a list of phoneme symbols (text)")
    return Word(get_str(w, "word", where, nonempty=True), get_num(w, "start", where, None),
                get_num(w, "end", where, None), tuple(ph) if ph is not None else None)


def _controls(c, where: Where) -> Controls:
    c = obj(c, where, "controls")
    known_keys(c, ("key", "bpm", "meter", "chords", "melody", "drums"), where)
    chords, melody, drums = [], [], []
    for i, ch in enumerate(get_list(c, "chords", where, [])):
        cw = where.at(f"chord {i + 1}")
        ch = obj(ch, cw, "a chord")
        known_keys(ch, ("symbol", "start", "end"), cw)
        chords.append(Chord(get_str(ch, "symbol", cw, nonempty=True), get_num(ch, "start", cw), get_num(ch, "end", cw)))
    for i, n in enumerate(get_list(c, "melody", where, [])):
        nw = where.at(f"note {i + 1}")
        n = obj(n, nw, "a note")
        known_keys(n, ("pitch", "start", "end"), nw)
        melody.append(Note(get_int(n, "pitch", nw), get_num(n, "start", nw), get_num(n, "end", nw)))
    for i, h in enumerate(get_list(c, "drums", where, [])):
        hw = where.at(f"drum hit {i + 1}")
        h = obj(h, hw, "a drum hit")
        known_keys(h, ("time", "instrument"), hw)
        drums.append(DrumHit(get_num(h, "time", hw), get_str(h, "instrument", hw, nonempty=True)))
    return Controls(get_str(c, "key", where, None), get_num(c, "bpm", where, None), get_int(c, "meter", where, None),
                    tuple(chords), tuple(melody), tuple(drums))


def _generation(g, where: Where) -> Generation:
    g = obj(g, where, "generation settings")
    known_keys(g, ("seed", "steps", "sampler", "guidance"), where)
    gd = obj(g.get("guidance", {}) or {}, where.at("guidance"), "guidance weights by condition")
    guidance = tuple((str(k), as_num(v, where.at("guidance"), str(k))) for k, v in gd.items())
    return Generation(get_int(g, "seed", where, None), get_int(g, "steps", where, None),
                      get_str(g, "sampler", where, None), guidance)


def to_dict(spec: SongSpec, out_dir: str) -> dict:
    def prune(d: dict) -> dict:
        return {k: v for k, v in d.items() if v not in (None, [], {}, ())}

    sections = []
    for s in spec.sections:
        lines = []
        for ln in s.lines:
            rich = ln.language or ln.start is not None or any(w.timed or w.phonemes or w.start is not None for w in ln.words)
            if not rich:
                lines.append(ln.text)
                continue
            words = [prune({"word": w.text, "start": w.start, "end": w.end,
                            "phonemes": list(w.phonemes) if w.phonemes is not None else None}) for w in ln.words]
            lines.append(prune({"words": words, "language": ln.language, "start": ln.start, "end": ln.end}))
        sections.append(prune({"tag": s.tag, "lines": lines}))
    st, c, g = spec.style, spec.controls, spec.generation
    return prune({
        "id": spec.id, "duration": spec.duration, "sections": sections,
        "style": prune({"tags": list(st.tags), "text": st.text, "reference_audio": relative(st.reference_audio, out_dir),
                        "voice_reference": relative(st.voice_reference, out_dir), "auto_prompt": st.auto_prompt,
                        "voice_engine": st.voice_engine}),
        "controls": prune({"key": c.key, "bpm": c.bpm, "meter": c.meter,
                           "chords": [{"symbol": x.symbol, "start": x.start, "end": x.end} for x in c.chords],
                           "melody": [{"pitch": x.pitch, "start": x.start, "end": x.end} for x in c.melody],
                           "drums": [{"time": x.time, "instrument": x.instrument} for x in c.drums]}),
        "generation": prune({"seed": g.seed, "steps": g.steps, "sampler": g.sampler, "guidance": dict(g.guidance)}),
        "instrumental": spec.instrumental or None,
        "metadata": {k: json.loads(v) for k, v in spec.metadata},
    })


def write(specs: list[SongSpec], path: str) -> list[str]:
    out_dir = os.path.dirname(os.path.abspath(path))
    docs = [to_dict(s, out_dir) for s in specs]
    doc = docs[0] if len(docs) == 1 else docs
    if not path.lower().endswith(".json"):  # .yaml, or YAML found by its content
        write_atomic(path, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    else:
        dump_json(doc, path)
    return [path]
