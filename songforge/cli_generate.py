"""`songforge generate`: songs from any input format with the neural engine, and the editing modes."""
from __future__ import annotations

import json
import os
import sys

from .cli_songs import add_song_options
from .flow.guidance import parse_guidance

STEM_NAMES = ("vocals", "drums", "bass", "other")
DEFAULT_MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models", "default")


def add_parser(sub) -> None:
    c = sub.add_parser("generate", help="generate songs with the neural engine (mix, stems, labels, picture); edit songs",
                       epilog='example: songforge generate lyrics.txt --style "sad piano ballad, female vocals" '
                              "--duration 60 -o out/")
    c.add_argument("input", nargs="+", help="song file(s) in any input format (a jsonl batch too; '-' reads standard "
                   "input): plain lyrics with [verse]/[chorus] tags will do")
    c.add_argument("-o", "--out", required=True, help="output folder (one subfolder per song; existing ones are kept)")
    c.add_argument("--model", default=DEFAULT_MODEL, help="model folder (default: the shipped default model)")
    c.add_argument("--adapter", help="a LoRA adapter folder for the model (`songforge train dit --lora` writes one in "
                   "RUN/adapter): your own songs' style")
    c.add_argument("--steps", type=int, help="sampling steps (default: the model's)")
    c.add_argument("--sampler", choices=("euler", "heun", "midpoint"))
    c.add_argument("--vocal-guide", type=float, metavar="T0",
                   help="new songs: the vocals start from the data engine's rendering of the plan, noised, and the "
                        "model sings them from t = T0 on (0: from noise; 1: the rendering kept; default: the model's, 0.9 "
                        "for the shipped model)")
    c.add_argument("--accompaniment-guide", type=float, metavar="T0",
                   help="new songs: drums, bass and other start from the data engine's rendering of the plan (its "
                        "instruments and arrangement), noised, and the model plays them from t = T0 on (0: from "
                        "noise, the model's own band; 1: the rendering itself; default: the model's, 1 for the "
                        "shipped model; set, it applies to every song)")
    c.add_argument("--guidance", help="per-condition weights, e.g. lyrics=2,style=1.5,plan=1 (0 switches one off); "
                   "lyrics+style+plan=2 guides them jointly with one extra model pass")
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--stems", default=",".join(STEM_NAMES), help="stems to write (default: all four)")
    c.add_argument("--audio-format", choices=("flac", "wav"), default="flac")
    add_song_options(c)
    c.add_argument("--no-picture", action="store_true")
    c.add_argument("--batch-size", type=int, default=1, help="songs sampled together (plain generation only)")
    c.add_argument("--device", default="cpu")
    c.add_argument("--ray", nargs="?", const="auto", metavar="ADDRESS",
                   help="new songs: generate on a Ray cluster, one task per song (`ray start --head`; ADDRESS "
                        "host:port, default auto: the one on this machine); the same bytes as a local run with this "
                        "machine's torch threads on the same kind of CPU")
    c.add_argument("--voice-audio", metavar="FILE", help="a recording of a singer (vocals alone work best, >= 2 s sung): "
                   "the melody is planned in that singer's register and the voice's gender follows it unless the "
                   "tags name one (sets every song's voice_reference)")
    c.add_argument("--style-audio", metavar="FILE", help="a style reference recording (>= 10 s; the first 30 s are "
                   "analysed): tempo, key, style, instruments and singer gender come from it wherever the song's own "
                   "style text does not state them (sets every song's reference_audio)")
    c.add_argument("--song", help="edits: the input song (a folder with mix/stems audio, or one audio file = its mix)")
    e = c.add_mutually_exclusive_group()
    e.add_argument("--edit-span", nargs=2, type=float, metavar=("START", "END"), help="regenerate [START, END) s")
    e.add_argument("--continue", dest="cont", action="store_true",
                   help="keep the input song and generate the rest of the (longer) spec")
    e.add_argument("--add-stem", choices=STEM_NAMES, help="(re)generate this stem to fit the other three")
    e.add_argument("--remove-stem", choices=STEM_NAMES, help="separate the input mix and drop this stem")
    e.add_argument("--extract-stem", choices=STEM_NAMES, help="separate the input mix and keep only this stem")
    c.set_defaults(fn=cmd_generate)


def _read_song_audio(path: str, sample_rate: int) -> dict:
    """{'mix'|stem: float32 [samples]} from a song folder (any of mix/vocals/... .flac/.wav) or one audio file."""
    import numpy as np
    import soundfile as sf
    import soxr

    def read(p):
        x, sr = sf.read(p, dtype="float32", always_2d=True)
        x = x.mean(axis=1)
        return x if sr == sample_rate else soxr.resample(x, sr, sample_rate).astype(np.float32)

    if os.path.isfile(path):
        return {"mix": read(path)}
    if not os.path.isdir(path):
        raise FileNotFoundError(f"{path}: no such song folder or audio file")
    out = {}
    for name in ("mix",) + STEM_NAMES:
        for ext in ("flac", "wav"):
            p = os.path.join(path, f"{name}.{ext}")
            if os.path.exists(p):
                out[name] = read(p)
                break
    if not out:
        raise FileNotFoundError(f"{path}: no mix/vocals/drums/bass/other .flac or .wav in this folder")
    return out


def _edit(a, audio: dict):
    from .pipeline import Edit
    if a.edit_span:
        return Edit(audio, span=tuple(a.edit_span))
    if a.cont:
        ref = audio.get("mix") if "mix" in audio else next(iter(audio.values()))
        return Edit(audio, keep_until=len(ref) / a.sample_rate)
    if a.add_stem:
        return Edit({k: v for k, v in audio.items() if k != a.add_stem}, stem=a.add_stem)
    if a.remove_stem or a.extract_stem:
        return Edit(audio, separate=True)
    return None


def cmd_generate(a) -> int:
    from dataclasses import replace

    from tqdm import tqdm

    from .pipeline import load as load_model
    from .cli_songs import load_printed
    from .songs import with_references
    editing = a.edit_span or a.cont or a.add_stem or a.remove_stem or a.extract_stem
    if editing and not a.song:
        print(f"{' '.join(a.input)}: editing needs --song (the input song's folder or audio file)", file=sys.stderr)
        return 1
    if editing and a.ray is not None:
        print("songforge generate: --ray generates new songs; an edit runs locally (leave out --ray)", file=sys.stderr)
        return 1
    if not editing and a.ray is None:  # new songs start from the data engine's renderings (every shipped model's
        from .render.zygote import shared  # default): their render zygote loads its engines while the model loads
        shared()
    stems = tuple(s.strip() for s in a.stems.split(",") if s.strip())
    bad = [s for s in stems if s not in STEM_NAMES]
    if bad:
        print(f"--stems: unknown stem(s) {', '.join(bad)} (known: {', '.join(STEM_NAMES)})", file=sys.stderr)
        return 1
    try:
        model = load_model(a.model, a.device, adapter=a.adapter)
        sampling = model.edit_sampling if editing else model.sampling
        for flag, v in (("--vocal-guide", a.vocal_guide), ("--accompaniment-guide", a.accompaniment_guide)):
            if v is not None and not 0 <= v <= 1:
                raise ValueError(f"{flag} {v:g}: must be between 0 and 1")
        sampling = replace(sampling, steps=a.steps or sampling.steps, sampler=a.sampler or sampling.sampler,
                           guidance=parse_guidance(a.guidance, sampling.guidance),
                           vocal_guide=sampling.vocal_guide if a.vocal_guide is None else a.vocal_guide,
                           accompaniment_guide=sampling.accompaniment_guide if a.accompaniment_guide is None
                           else a.accompaniment_guide)
        if a.accompaniment_guide is not None:  # asked for every song, those with a style reference too
            sampling = replace(sampling, reference_accompaniment_guide=a.accompaniment_guide)
        a.sample_rate = model.sample_rate
        edit = _edit(a, _read_song_audio(a.song, model.sample_rate)) if editing else None
    except (FileNotFoundError, ValueError) as e:
        print(f"songforge generate: {e}", file=sys.stderr)
        return 1
    dropped = (a.remove_stem,) if a.remove_stem else tuple(s for s in STEM_NAMES if s != a.extract_stem) \
        if a.extract_stem else ()
    got = load_printed(a, a.input)
    if got is None:
        return 2
    songs, errors = got
    for flag, path in (("--style-audio", a.style_audio), ("--voice-audio", a.voice_audio)):
        if path and not os.path.isfile(path):
            print(f"{flag}: audio file not found: {path}", file=sys.stderr)
            return 1
    if a.style_audio or a.voice_audio:
        songs, bad = with_references(songs, a.style_audio and os.path.abspath(a.style_audio),
                                     a.voice_audio and os.path.abspath(a.voice_audio))
        for err in bad:
            print(err, file=sys.stderr)
        errors = list(errors) + bad
    todo = [s for s in songs if not os.path.isdir(os.path.join(a.out, s.spec.id))]  # resume: finished songs stay
    os.makedirs(a.out, exist_ok=True)
    failed, written = len(errors), []
    if a.ray is not None:
        return _generate_on_ray(a, model, sampling, todo, stems, dropped, failed, len(songs) - len(todo))
    step = 1 if edit is not None else max(1, a.batch_size)
    for i in tqdm(range(0, len(todo), step), desc="songs", unit="batch", disable=len(todo) <= 1):
        group = todo[i:i + step]
        try:
            plans = [model.plan(s, a.seed) for s in group]
            results = model.generate_batch(plans, a.seed, sampling, [edit] * len(plans), progress=True)
        except (ValueError, RuntimeError) as e:
            for s in group:
                print(f"{s.spec.source}: {s.spec.id}: generation failed: {e}", file=sys.stderr)
            failed += len(group)
            continue
        for r in results:
            r = r.without(dropped)
            written.append(r.write(a.out, a.audio_format, not a.no_picture, tuple(s for s in stems if s in r.stems)))
    print(json.dumps({"written": written, "skipped_existing": len(songs) - len(todo), "failed": failed}))
    return 1 if failed else 0


def _generate_on_ray(a, model, sampling, todo: list, stems: tuple, dropped: tuple, failed: int, skipped: int) -> int:
    from collections import Counter

    from tqdm import tqdm

    from .generate_ray import generate_on_ray
    job = {"seed": a.seed, "sampling": sampling, "dropped": dropped, "stems": stems, "audio_format": a.audio_format,
           "picture": not a.no_picture}
    written, per_node = [], Counter()
    try:
        with tqdm(total=len(todo), desc="songs", unit="song", disable=len(todo) <= 1) as bar:
            for i, folder, err, node in generate_on_ray(todo, a.ray, a.out, a.model, a.adapter, job):
                bar.update(1)
                if err is not None:
                    print(f"{todo[i].spec.source}: {todo[i].spec.id}: generation failed: {err}", file=sys.stderr)
                    failed += 1
                    continue
                written.append(folder)
                per_node[node] += 1
    except RuntimeError as e:  # no cluster there, Ray not installed
        print(f"songforge generate: {e}", file=sys.stderr)
        return 1
    print(json.dumps({"written": written, "skipped_existing": skipped, "failed": failed,
                      "songs_per_node": dict(per_node)}))
    return 1 if failed else 0
