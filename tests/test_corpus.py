"""Corpus build: killed midway and resumed, it ends identical (manifest + checksums) to an uninterrupted
build with the same seed, with clips sung by both voice engines; stats read it back; `songforge render` writes a song folder."""
import json
import os
import signal
import subprocess
import sys
import time

from songforge.cli import main

from conftest import EXAMPLES

ARGS = ["--hours", "0.012", "--seed", "8", "--workers", "1"]  # seed 8: English clips by both voice engines


def _build(out, **kw):
    return subprocess.Popen([sys.executable, "-m", "songforge", "data", "build", "--out", str(out), *ARGS],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True, **kw)


def test_kill_and_resume_is_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert _build(a).wait(timeout=300) == 0
    p = _build(b)
    clips = b / "clips"
    t0 = time.time()
    while time.time() - t0 < 240:  # kill as soon as the first clip is finished
        if clips.exists() and any((clips / d / "labels.json").exists() for d in os.listdir(clips)):
            break
        time.sleep(0.05)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    assert not (b / "manifest.jsonl").exists()
    assert _build(b).wait(timeout=300) == 0
    ma, mb = (a / "manifest.jsonl").read_text(), (b / "manifest.jsonl").read_text()
    assert ma == mb and len(ma.splitlines()) >= 2
    rows = [json.loads(x) for x in ma.splitlines()]
    assert all(set(r["sha256"]) == {"mix", "vocals", "drums", "bass", "other"} for r in rows)
    assert {r["voice_engine"] for r in rows} == {"neural", "espeak"}
    assert not [d for d in os.listdir(clips) if d.endswith(".partial")]


def test_stats_and_render(tmp_path, capsys):
    out = tmp_path / "c"
    assert subprocess.run([sys.executable, "-m", "songforge", "data", "build", "--out", str(out), *ARGS],
                          capture_output=True).returncode == 0
    assert main(["data", "stats", str(out)]) == 0
    stats = json.loads((out / "stats.json").read_text())
    assert stats["clips"] >= 2 and stats["hours"] > 0 and (out / "stats.png").exists()
    assert main(["render", os.path.join(EXAMPLES, "moonlit_jam_manifest.json"), "-o", str(tmp_path / "r"),
                 "--workers", "1"]) == 0
    song = tmp_path / "r" / "moonlit"
    for f in ("mix.flac", "vocals.flac", "drums.flac", "bass.flac", "other.flac", "labels.json", "song.png"):
        assert (song / f).exists(), f
    lab = json.loads((song / "labels.json").read_text())
    assert lab["words"][0]["start"] == 4.0 and lab["f0"]["hop_s"] == 0.01 and lab["chords"] and lab["beats"]



_AFTER_DRAWS = """
import ctypes, hashlib, sys
for _ in range(int(sys.argv[1])):
    ctypes.CDLL(None).rand()
from songforge.plan.plan import make_plan
from songforge.plan.timing import time_song
from songforge.render.accompaniment import band
from songforge.render.espeak import engine
from songforge.spec.song import Line, Section, SongSpec, Style, Word
spec = SongSpec("d", (Section("verse", (Line(tuple(Word(w) for w in "a breath of wind".split()), "en"),)),), None,
                Style(("pop",)))
if sys.argv[2] == "espeak":
    print("sha256", hashlib.sha256(engine().speak("a breath of wind", "en-us+f2").audio.tobytes()).hexdigest())
else:
    stems = band().stems(make_plan(spec, time_song(spec)))
    print("sha256", hashlib.sha256(b"".join(stems[k].tobytes() for k in sorted(stems))).hexdigest())
"""


def test_renders_do_not_depend_on_what_the_process_drew_before():
    """fluidsynth's dither table and espeak-ng's breathy variants draw from libc's rand(): two fresh processes that
    drew different amounts before must still render alike (two builds of one seed differed before session 21)."""
    for what in ("espeak", "band"):
        # pyfluidsynth prints where it found the library when $CI is set: keep only the hash lines
        outs = [[ln for ln in subprocess.run([sys.executable, "-c", _AFTER_DRAWS, str(draws), what], capture_output=True,
                                             text=True, check=True).stdout.splitlines() if ln.startswith("sha256 ")]
                for draws in (0, 37)]
        assert len(outs[0]) == 1 and outs[0] == outs[1], what


def test_the_band_prints_nothing_to_stdout_under_ci():
    """pyfluidsynth prints where it found its library when $CI is set; songforge's stdout stays its own."""
    out = subprocess.run([sys.executable, "-c", "from songforge.render.accompaniment import Band; Band()"],
                         capture_output=True, text=True, check=True, env={**os.environ, "CI": "1"})
    assert out.stdout == ""


def test_a_build_in_a_process_that_rendered_matches_a_fresh_build(tmp_path):
    """A process that rendered audio itself hands its builds' renders to clean zygotes (render/batch.run_isolated):
    before, its forks inherited the synthesizers' state and every clip differed from a fresh `data build`."""
    from conftest import tree_digest as digest
    from songforge.data.build import BuildConfig, build
    from songforge.render import batch
    from songforge.render.song import render_plan
    from songforge.songs import load
    args = ["data", "build", "--hours", "0.006", "--seed", "11", "--clip-min", "5", "--clip-max", "8", "--workers", "1"]
    fresh = str(tmp_path / "fresh")
    r = subprocess.run([sys.executable, "-m", "songforge", *args, "--out", fresh], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    from songforge.plan.plan import make_plan
    songs, _ = load(os.path.join(EXAMPLES, "harbor.lrc"))
    render_plan(make_plan(songs[0].spec, songs[0].timing, 0), 24000)  # this process has now sounded
    assert batch._sounded_in == os.getpid()
    here = str(tmp_path / "here")
    build(here, BuildConfig(seed=11, hours=0.006, min_s=5.0, max_s=8.0), 1, progress=False)
    got, want = digest(here), digest(fresh)
    assert len(want) > 5 and got == want


def test_songs_and_their_warnings_survive_pickling():
    """Songs travel pickled to render zygotes; a SpecError that could not be rebuilt killed the zygote."""
    import pickle

    from songforge.errors import SpecError
    from songforge.songs import load
    songs, _ = load(os.path.join(EXAMPLES, "harbor.lrc"))
    e = SpecError(songs[0].spec.where, "duration", "a note", "note")
    assert str(pickle.loads(pickle.dumps(e))) == str(e)
    again = pickle.loads(pickle.dumps(songs[0]))
    assert [str(w) for w in again.warnings] == [str(w) for w in songs[0].warnings]


def test_a_corpus_is_planned_again_as_it_was_built(tmp_path):
    """train/data.clip_plan conditions the model on a clip's plan made again from build.json: it must be the plan the
    clip was rendered from, also for a corpus built before the planner had versions (version 1: the band on the grid,
    the old male register), which a resumed build also finishes with its own planner."""
    from songforge.data.build import BuildConfig, build
    from songforge.train.data import clip_plan, read_manifest

    def same(planned, labelled):  # labels keep 4 decimals
        return len(planned) == len(labelled) and all(
            n.pitch == m["pitch"] and abs(n.start - m["start"]) < 1e-3 for n, m in zip(planned, labelled))
    plans = {}
    for version in (1, 2):
        out = str(tmp_path / f"v{version}")
        build(out, BuildConfig(seed=11, hours=0.006, min_s=5.0, max_s=8.0, planner=version), 1, progress=False)
        if version == 1:  # as an older songforge wrote it
            with open(os.path.join(out, "build.json")) as f:
                raw = json.load(f)
            del raw["planner"]
            with open(os.path.join(out, "build.json"), "w") as f:
                json.dump(raw, f)
            assert build(out, BuildConfig(seed=11, hours=0.006, min_s=5.0, max_s=8.0), 1, progress=False)["failed"] == []
        rows = read_manifest(out)
        assert rows
        for row in rows:
            with open(os.path.join(out, row["labels"]), encoding="utf-8") as f:
                labels = json.load(f)
            p = clip_plan(out, row)
            assert same(p.bass, labels["bass"]) and same(p.other, labels["other"]) and same(p.melody, labels["notes"])
            assert p.voice.formant == labels["voice"]["formant"]
            plans[(version, row["id"])] = p
    assert any(plans[(1, k)].bass != plans[(2, k)].bass for v, k in plans if v == 1)  # the versions differ
