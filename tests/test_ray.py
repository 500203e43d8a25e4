"""`songforge data build --ray` (and `generate --ray`, `eval --ray`): a two-node Ray cluster on loopback (a head and a second node, started and stopped
here) builds the same bytes as the local pool, says how many clips each node ran, survives a killed worker and a
killed driver. Skipped without Ray (the `ray` extra)."""
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

ray = pytest.importorskip("ray")

from conftest import tree_digest  # noqa: E402
from songforge.data.build import BuildConfig, build  # noqa: E402

CFG = BuildConfig(seed=5, hours=0.012, min_s=5.0, max_s=8.0)
LIMIT_S = 300  # every wait here is bounded
TIMINGS = ("seconds", "eval_seconds", "realtime_factor")  # of an eval row: how long it took, not what it found


_digest = tree_digest


@pytest.fixture(scope="module")
def cluster():
    """A head and a second node (`ray start`), both on 127.0.0.1 with one CPU each; only they are stopped after."""
    from songforge.data.ray_build import loopback_cluster
    with loopback_cluster(nodes=2, cpus=1) as address:
        yield address


BUILD = ["data", "build", "--hours", "0.012", "--seed", "5", "--clip-min", "5", "--clip-max", "8"]


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The local build of the same seed, as a user runs it: the CLI in a fresh process."""
    out = str(tmp_path_factory.mktemp("local"))
    r = subprocess.run([sys.executable, "-m", "songforge", *BUILD, "--out", out, "--workers", "1"],
                       capture_output=True, text=True, timeout=LIMIT_S)
    assert r.returncode == 0, r.stderr[-2000:]
    return _digest(out)


def test_a_two_node_build_is_byte_identical_to_the_local_one(cluster, local, tmp_path):
    summary = build(str(tmp_path), CFG, 1, progress=False, ray=cluster)
    assert _digest(str(tmp_path)) == local
    assert summary["failed"] == [] and sum(summary["clips_per_node"].values()) == summary["clips"]
    assert len(summary["clips_per_node"]) == 2  # both nodes rendered


def test_a_killed_worker_is_retried_and_nothing_is_lost_or_doubled(cluster, local, tmp_path):
    result = {}
    driver = threading.Thread(target=lambda: result.update(build(str(tmp_path), CFG, 1, progress=False, ray=cluster)))
    driver.start()
    killed, t0 = None, time.time()
    while killed is None and driver.is_alive() and time.time() - t0 < LIMIT_S:
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        cmd = f.read()
                except OSError:
                    continue
                if cmd.startswith(b"ray::_render_remote"):
                    os.kill(int(pid), signal.SIGKILL)
                    killed = pid
                    break
        time.sleep(0.05)
    driver.join(LIMIT_S)
    assert killed is not None and not driver.is_alive()
    assert result["failed"] == [] and _digest(str(tmp_path)) == local


def test_a_killed_driver_rerun_resumes_to_the_same_corpus(cluster, local, tmp_path):
    cmd = [sys.executable, "-m", "songforge", *BUILD, "--out", str(tmp_path), "--ray", cluster]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.time()
    clips = os.path.join(str(tmp_path), "clips")
    while time.time() - t0 < LIMIT_S and p.poll() is None:
        if os.path.isdir(clips) and any(os.path.isfile(os.path.join(clips, d, "labels.json")) for d in os.listdir(clips)):
            break
        time.sleep(0.1)
    p.kill()
    p.wait(30)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=LIMIT_S)
    assert r.returncode == 0, r.stderr[-2000:]
    assert _digest(str(tmp_path)) == local


def test_eval_on_ray_scores_as_the_local_run(cluster, tmp_path):
    """The same report, song by song, from Ray tasks as from the local loop (timings aside)."""
    import json

    from songforge.eval.report import evaluate
    corpus = str(tmp_path / "corpus")
    build(corpus, CFG, 1, progress=False)
    rows = {}
    for how, address in (("local", None), ("ray", cluster)):
        out = str(tmp_path / how)
        summary = evaluate(corpus, out, asr=False, pictures=False, progress=False, ray=address)
        assert summary["songs"] == 5 and not summary["problems"]
        rows[how] = {}
        for f in sorted(os.listdir(os.path.join(out, "songs"))):
            with open(os.path.join(out, "songs", f)) as fh:
                rows[how][f] = {k: v for k, v in json.load(fh).items() if k not in TIMINGS}
    assert rows["local"] == rows["ray"]


def test_generate_on_ray_writes_the_local_songs(cluster, tiny_model, tmp_path, capsys):
    """Each song a task on either node, the same bytes as the local run; a re-run keeps the finished songs."""
    import json

    from songforge.cli import main
    spec = os.path.join(os.path.dirname(__file__), "..", "examples", "two_songs_levo.jsonl")
    args = ["generate", spec, "--model", tiny_model, "--steps", "2", "--no-picture", "--duration", "14",
            "--vocal-guide", "0.9", "--accompaniment-guide", "0.5"]
    assert main(args + ["-o", str(tmp_path / "local")]) == 0
    assert main(args + ["-o", str(tmp_path / "ray"), "--ray", cluster]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["failed"] == 0 and sum(summary["songs_per_node"].values()) == 2
    assert _digest(str(tmp_path / "ray")) == _digest(str(tmp_path / "local"))
    assert main(args + ["-o", str(tmp_path / "ray"), "--ray", cluster]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["skipped_existing"] == 2
    assert main(args + ["-o", str(tmp_path / "x"), "--ray", cluster, "--song", str(tmp_path / "ray" / "harbor"),
                        "--edit-span", "1", "2"]) == 1
    assert "--ray generates new songs" in capsys.readouterr().err
