"""The web UI (Gradio, at /): write or load a song, check it, adjust style, duration, chords and word times,
generate or render it, and listen to the mix and every stem beside the song's picture; an Edit tab changes an
uploaded song (a span, a continuation, a stem added, removed or extracted). It submits to the same job store
and workers as the REST API, so a job started here is also visible under /v1/jobs."""
from __future__ import annotations

import os
import time

import gradio as gr

from . import jobs
from .compose import ComposeError, compose
from .service import Refused, check as check_songs, create_job

EXAMPLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "examples")
FORMAT_CHOICES = ["auto"] + list(jobs.FORMATS)
VOCAL_GUIDE_CHOICES = [("rendering, refined by the model (default)", "default"),
                       ("the model alone (experimental: mumbles)", "0"), ("rendering, reshaped more by the model", "0.6"),
                       ("the rendering as it is", "1")]
ACCOMPANIMENT_GUIDE_CHOICES = [("the rendering (default: the style's instruments and arrangement)", "default"),
                               ("rendering, refined by the model", "0.9"),
                               ("rendering, reshaped by the model", "0.6"),
                               ("the model's own (experimental: looser chords and style)", "0")]
EDIT_CHOICES = [("regenerate a span", "span"), ("continue the song", "continue"), ("add / regenerate a stem", "add"),
                ("remove a stem", "remove"), ("extract a stem", "extract")]
PLACEHOLDER = ("style: warm acoustic pop, female vocals\n\n[verse]\nthe harbor lights are low tonight\n"
               "I count the boats that never came\n\n[chorus]\nhold on, hold on, the tide will turn")
CSS = """
#sf-title h1 {margin-bottom: 0}
#sf-status {min-height: 2.5em}
.sf-stems audio {width: 100%}
"""


def examples() -> dict[str, str]:
    """Example song files that ship beside the package (a source checkout); name -> path."""
    if not os.path.isdir(EXAMPLES_DIR):
        return {}
    return {f: os.path.join(EXAMPLES_DIR, f) for f in sorted(os.listdir(EXAMPLES_DIR))
            if f.endswith((".json", ".jsonl", ".lrc", ".yaml")) and "manifest" not in f}


def _fmt(value: str) -> str | None:
    return None if value in ("auto", "", None) else value


def _uploads(paths) -> list[tuple[str, bytes]]:
    """The files uploaded beside the song (Gradio's copies), as (their own file name, bytes)."""
    out = []
    for p in paths or []:
        p = getattr(p, "name", p)
        with open(p, "rb") as f:
            out.append((os.path.basename(p), f.read()))
    return out


def build(cfg, store, workers) -> gr.Blocks:
    ex = examples()

    def load_example(name):
        if not name or name not in ex:
            return gr.update(), gr.update()
        with open(ex[name], encoding="utf-8") as f:
            return f.read(), "auto"

    def check(text, fmt, genre, files, style_text, seconds):
        import tempfile

        from .api import CheckRequest
        try:
            req = CheckRequest.model_validate({"text": text or "", "format": _fmt(fmt), "genre": genre or "",
                                               "style": (style_text or "").strip() or None,
                                               "duration": seconds or None})
            with tempfile.TemporaryDirectory() as tmp:
                c = check_songs(cfg, tmp, req, _uploads(files))
        except Refused as e:
            return f"**Refused**: {e.detail}", []
        except ValueError as e:
            return f"**Refused**: {e}", []
        lines = [f"**{len(c.songs)} song(s) ready**" if c.songs else "**No song to make**"]
        for s in c.songs:
            d = jobs.song_summary(s)
            lines.append(f"- `{d['id']}`: {d['duration']:.1f} s, {d['bpm']:g} bpm, times {d['times']}, "
                         f"{len(d['words'])} words{', style ' + d['style'] if d['style'] else ''}")
        lines += [f"- problem: {p}" for p in c.problems] + [f"- note: {n}" for n in c.notes]
        words = [[w["word"], w["start"], w["end"]] for w in jobs.song_summary(c.songs[0])["words"]] if c.songs else []
        return "\n".join(lines), words

    def apply(text, fmt, genre, files, style, duration, chords, words):
        try:
            return compose(text or "", _fmt(fmt), genre or "", style or "", duration or None, chords, words,
                           _uploads(files)), \
                "Applied: the song text is now songforge YAML with your changes."
        except ComposeError as e:
            return gr.update(), f"**Cannot apply**: {e}"

    def follow(jid):
        """Yield (status, mix, vocals, drums, bass, other, picture, labels) while the job runs."""
        while True:
            job = store.get(jid)
            if job is None:
                yield ("Failed: the job was deleted",) + (None,) * 7
                return
            if job.status in ("done", "failed"):
                break
            yield (f"**{job.status.capitalize()}** — {job.progress * 100:.0f}% (job `{jid[:8]}`)",) + (gr.update(),) * 7
            time.sleep(0.5)
        folder = cfg.job_folder(jid)
        sid = job.songs[0] if job.songs else None
        d = os.path.join(folder, "out", sid) if sid else ""
        pick = lambda name: next((os.path.join(d, f"{name}.{e}") for e in ("flac", "wav")  # noqa: E731
                                  if os.path.isfile(os.path.join(d, f"{name}.{e}"))), None)
        png = os.path.join(d, "song.png")
        lab = os.path.join(d, "labels.json")
        msg = (f"**Done**: `{sid}`" + (f" (+{len(job.songs) - 1} more songs, see /v1/jobs/{jid})" if len(job.songs) > 1 else "")
               if job.status == "done" else f"**Failed**: {job.error}")
        errs = "".join(f"\n- {e}" for e in job.song_errors)
        yield (msg + errs, pick("mix"), pick("vocals"), pick("drums"), pick("bass"), pick("other"),
               png if os.path.isfile(png) else None, lab if os.path.isfile(lab) else None)

    def submit(text, fmt, genre, files, style_text, seconds, mode, seed, steps, guide, band_guide, edit=None,
               song_path=None):
        from .api import JobRequest
        try:
            settings = {"seed": int(seed or 0), "steps": int(steps) or None}
            for key, value in (("vocal_guide", guide), ("accompaniment_guide", band_guide)):
                if value not in (None, "", "default"):
                    settings[key] = float(value)
            req = JobRequest.model_validate({"text": text or "", "format": _fmt(fmt), "genre": genre or "",
                                             "style": (style_text or "").strip() or None, "duration": seconds or None,
                                             "mode": mode, "edit": edit, "settings": settings})
            upload = None
            if song_path:
                with open(song_path, "rb") as f:
                    upload = (os.path.basename(song_path), f.read())
            jid, _ = create_job(cfg, store, workers, req, upload, _uploads(files))
        except Refused as e:
            yield (f"**Refused**: {e.detail}",) + (None,) * 7
            return
        except ValueError as e:
            yield (f"**Refused**: {e}",) + (None,) * 7
            return
        yield from follow(jid)

    def generate(text, fmt, genre, files, style_text, seconds, mode, seed, steps, guide, band_guide):
        yield from submit(text, fmt, genre, files, style_text, seconds, mode, seed, steps, guide, band_guide)

    def edit(song, text, fmt, genre, files, style_text, seconds, kind, start, end, stem, seed, steps):
        if not song:
            yield ("**Refused**: upload the song to edit first",) + (None,) * 7
            return
        e = {"kind": kind, "start": start, "end": end, "stem": stem if kind in ("add", "remove", "extract") else None}
        yield from submit(text, fmt, genre, files, style_text, seconds, "generate", seed, steps, "default", "default", e,
                          song)

    with gr.Blocks(title="songforge", analytics_enabled=False) as ui:
        gr.Markdown("# songforge\nLyrics in, song out: mix, stems (vocals, drums, bass, other) and a picture of the "
                    "plan. Every input format songforge reads works here; the REST API lives under `/v1` "
                    "(schema at `/docs`).", elem_id="sf-title")
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Tab("Song"):
                    text = gr.Textbox(label="Lyrics", lines=14, max_lines=40, elem_id="sf-text",
                                      placeholder=PLACEHOLDER,
                                      info="one sung line per line; [verse] / [chorus] tags optional; or paste a song "
                                           "file in any format songforge reads")
                    with gr.Row():
                        style = gr.Textbox(label="Style", placeholder="warm acoustic pop, female vocals", scale=3,
                                           elem_id="sf-style", info="genre, mood, instruments, singer, tempo: in words")
                        duration = gr.Number(label="Duration (s)", value=None, minimum=0, scale=1, elem_id="sf-duration",
                                             info="empty: as long as the lyrics need")
                    with gr.Row():
                        example = gr.Dropdown(list(ex), label="Load an example", value=None, elem_id="sf-example")
                        fmt = gr.Dropdown(FORMAT_CHOICES, value="auto", label="Format", elem_id="sf-format",
                                          info="auto: told from the text")
                    genre = gr.Textbox(label="Genre tags (YuE's genre.txt)", lines=1, visible=False, elem_id="sf-genre")
                    files = gr.File(label="Files the song names (a JAM lyric file or style .txt, a reference "
                                    "recording): name them in the song by their file names", file_count="multiple",
                                    type="filepath", elem_id="sf-files")
                    with gr.Accordion("Chords and word times", open=False, elem_id="sf-more"):
                        chords = gr.Dataframe(headers=["chord", "start (s)", "end (s)"],
                                              datatype=["str", "number", "number"], row_count=(1, "dynamic"),
                                              column_count=(3, "fixed"), label="Chords")
                        words = gr.Dataframe(headers=["word", "start (s)", "end (s)"],
                                             datatype=["str", "number", "number"], row_count=(0, "dynamic"),
                                             column_count=(3, "fixed"), label="Word times (fill with Check, then edit)",
                                             elem_id="sf-words")
                        apply_btn = gr.Button("Apply to the song text", elem_id="sf-apply")
                with gr.Tab("Edit a song"):
                    gr.Markdown("Upload a song (a mix, or a song songforge made) and pick what to change; the song "
                                "text in the Song tab says what it sings.")
                    song = gr.Audio(label="Song to edit", type="filepath", sources=["upload"])
                    kind = gr.Radio(EDIT_CHOICES, value="span", label="Edit")
                    with gr.Row():
                        start = gr.Number(label="Span start (s)", value=0.0, minimum=0)
                        end = gr.Number(label="Span end (s)", value=4.0, minimum=0)
                    stem = gr.Dropdown(list(jobs.STEMS), value="vocals", label="Stem")
                    edit_btn = gr.Button("Edit", variant="primary", elem_id="sf-edit")
            with gr.Column(scale=2):
                with gr.Row():
                    check_btn = gr.Button("Check", elem_id="sf-check")
                    gen_btn = gr.Button("Generate", variant="primary", elem_id="sf-generate")
                with gr.Accordion("Engine and sound", open=False, elem_id="sf-sound"):
                    mode = gr.Radio([("the neural model", "generate"), ("the data engine (synthesizers, exact)", "render")],
                                    value="generate", label="Made by")
                    with gr.Row():
                        seed = gr.Number(label="Seed", value=0, precision=0, minimum=0,
                                         info="same seed, same song; change it for another take")
                        steps = gr.Number(label="Sampling steps", value=0, precision=0, minimum=0, maximum=200,
                                          info="0: the model's default")
                    guide = gr.Dropdown(VOCAL_GUIDE_CHOICES, value="default", label="Vocals",
                                        info="the data engine renders the plan's singing (clear words); the model "
                                             "refines it, or sings alone")
                    band_guide = gr.Dropdown(ACCOMPANIMENT_GUIDE_CHOICES, value="default", label="Drums, bass, other",
                                             info="the data engine's rendering of the plan (the style's instruments), "
                                                  "or the model's own band")
                status = gr.Markdown("", elem_id="sf-status")
                mix = gr.Audio(label="Mix", type="filepath", interactive=False, elem_id="sf-mix")
                with gr.Row(elem_classes="sf-stems"):
                    vocals = gr.Audio(label="Vocals", type="filepath", interactive=False)
                    drums = gr.Audio(label="Drums", type="filepath", interactive=False)
                with gr.Row(elem_classes="sf-stems"):
                    bass = gr.Audio(label="Bass", type="filepath", interactive=False)
                    other = gr.Audio(label="Other", type="filepath", interactive=False)
                picture = gr.Image(label="The song's plan", type="filepath", interactive=False, elem_id="sf-picture")
                labels = gr.File(label="labels.json", interactive=False)
        outputs = [status, mix, vocals, drums, bass, other, picture, labels]
        example.change(load_example, example, [text, fmt])
        fmt.change(lambda f: gr.update(visible=f == "yue"), fmt, genre)
        check_btn.click(check, [text, fmt, genre, files, style, duration], [status, words])
        apply_btn.click(apply, [text, fmt, genre, files, style, duration, chords, words], [text, status])
        gen_btn.click(generate, [text, fmt, genre, files, style, duration, mode, seed, steps, guide, band_guide], outputs)
        edit_btn.click(edit, [song, text, fmt, genre, files, style, duration, kind, start, end, stem, seed, steps], outputs)
    return ui
