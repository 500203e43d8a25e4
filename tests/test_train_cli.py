"""`songforge train` and `songforge model assemble` as a researcher uses them: every config/codec/init/corpus
mismatch is one line before any work, flags land in the saved config, a killed run resumes with --resume, a
finished one says so, and the run assembles into a model folder that generates."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from songforge.cli import main

from conftest import ROOT

CONFIGS = os.path.join(ROOT, "configs")
TINY = os.path.join(CONFIGS, "dit_tiny.json")


def _train(capsys, *args):
    code = main(["train", "dit", *args])
    err = capsys.readouterr().err.strip()
    return code, err


@pytest.fixture(scope="module")
def bad_corpora(tiny_corpus, tmp_path_factory):
    """Copies of the tiny corpus with one thing wrong each."""
    root = tmp_path_factory.mktemp("bad")
    out = {}
    for name in ("phonemes", "rate", "stems"):
        d = root / name
        shutil.copytree(tiny_corpus, d)
        out[name] = str(d)
    rows = [json.loads(x) for x in (root / "phonemes" / "manifest.jsonl").read_text().splitlines()]
    first = next(r for r in rows if r["split"] == "train")
    lab = root / "phonemes" / first["labels"]
    d = json.loads(lab.read_text())
    d["phonemes"][0]["symbol"] = "ʘ"
    lab.write_text(json.dumps(d))
    b = root / "rate" / "build.json"
    b.write_text(json.dumps(dict(json.loads(b.read_text()), sample_rate=16000)))
    m = root / "stems" / "manifest.jsonl"
    m.write_text("".join(json.dumps(dict(r, audio={k: v for k, v in r["audio"].items() if k != "bass"})) + "\n"
                         for r in [json.loads(x) for x in m.read_text().splitlines()]))
    return out


def test_every_mismatch_is_one_line_before_any_work(tiny_corpus, tiny_model, bad_corpora, tmp_path, capsys):
    codec = os.path.join(tiny_model, "codec")
    out = str(tmp_path / "run")
    cases = [
        (["--config", TINY, "--codec", os.path.join(CONFIGS, "codec_mel"), "--data", tiny_corpus],
         "config field 'model.latent_channels' 8 does not match the codec"),
        (["--config", os.path.join(CONFIGS, "dit_mel_small.json"), "--codec", codec, "--data", tiny_corpus],
         "does not match the codec"),
        (["--config", TINY, "--codec", os.path.join(tiny_model, "dit"), "--data", tiny_corpus],
         "a dit checkpoint, not a codec"),
        (["--config", TINY, "--codec", codec, "--data", str(tmp_path)], "not a songforge corpus"),
        (["--config", TINY, "--codec", codec, "--data", bad_corpora["phonemes"]],
         "field 'phonemes': ʘ not in songforge's phoneme inventory"),
        (["--config", TINY, "--codec", codec, "--data", bad_corpora["rate"]],
         "field 'sample_rate': rendered at 16000 Hz, below the codec's 24000 Hz"),
        (["--config", TINY, "--codec", codec, "--data", bad_corpora["stems"]], "has no bass audio"),
        (["--config", TINY, "--codec", codec, "--data", tiny_corpus, "--init", codec], "a codec checkpoint, and this run"),
        (["--config", TINY, "--codec", codec, "--data", tiny_corpus, "--init",
          os.path.join(ROOT, "songforge", "models", "default", "dit")], "tensors do not fit this config"),
        (["--config", TINY, "--codec", codec, "--data", tiny_corpus, "--steps", "0"], "--steps and --batch-size"),
    ]
    for args, expected in cases:
        code, err = _train(capsys, *args, "--out", out)
        assert code == 1 and expected in err, (args, err)
        assert len(err.splitlines()) == 1 and "Traceback" not in err, err
        assert not os.path.exists(os.path.join(out, "latents")), "work started before the check"


def test_flags_land_in_the_saved_config_and_a_finished_run_says_so(tiny_corpus, tiny_model, tmp_path, capsys):
    codec = os.path.join(tiny_model, "codec")
    out = str(tmp_path / "run")
    base = ["--config", TINY, "--codec", codec, "--data", tiny_corpus, "--out", out]
    code, err = _train(capsys, *base, "--steps", "3", "--batch-size", "1", "--lr", "0.001", "--seed", "5",
                       "--segment", "2")
    assert code == 0, err
    saved = json.loads(open(os.path.join(out, "train_config.json")).read())["train"]
    assert (saved["steps"], saved["batch_size"], saved["lr"], saved["seed"], saved["segment_s"]) == (3, 1, 0.001, 5, 2.0)
    code, err = _train(capsys, *base, "--steps", "3")
    assert code == 1 and "holds a run at step 3 of 3: pass --resume" in err
    code, err = _train(capsys, *base, "--resume", "--steps", "3")
    assert code == 1 and "this run is finished (step 3 of 3" in err
    code, err = _train(capsys, *base, "--resume", "--steps", "5", "--batch-size", "1", "--segment", "2", "--seed", "5")
    assert code == 0, err
    assert json.loads(open(os.path.join(out, "last", "state.json")).read())["step"] == 5
    other = json.loads(open(TINY).read())
    other["model"]["dim"] = 48
    (tmp_path / "other.json").write_text(json.dumps(other))
    code, err = _train(capsys, "--config", str(tmp_path / "other.json"), "--codec", codec, "--data", tiny_corpus,
                       "--out", out, "--resume", "--steps", "8")
    assert code == 1 and "started with another model config (saved vs now: dim 32 vs 48)" in err
    code, err = _train(capsys, *base[:-1], str(tmp_path / "none"), "--resume")
    assert code == 1 and "holds no run to continue" in err


def test_a_killed_run_resumes_and_assembles_into_a_model(tiny_corpus, tiny_model, tmp_path, capsys):
    codec = os.path.join(tiny_model, "codec")
    out = str(tmp_path / "run")
    cmd = [sys.executable, "-m", "songforge", "train", "dit", "--config", TINY, "--codec", codec, "--data", tiny_corpus,
           "--out", out, "--steps", "150", "--batch-size", "1", "--segment", "2"]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    state = os.path.join(out, "last", "state.json")
    t0 = time.time()
    while not os.path.exists(state) and time.time() - t0 < 120:
        time.sleep(0.2)
    p.send_signal(signal.SIGKILL)
    p.wait()
    killed_at = json.loads(open(state).read())["step"]
    assert 0 < killed_at < 150
    code, err = _train(capsys, *cmd[5:11], "--out", out, "--steps", "150", "--batch-size", "1", "--segment", "2",
                       "--resume")
    assert code == 0, err
    with open(os.path.join(out, "log.jsonl")) as f:
        steps = [json.loads(line)["step"] for line in f]
    assert steps == list(range(150))  # no step lost or logged twice
    model = str(tmp_path / "model")
    assert main(["model", "assemble", "--codec", codec, "--dit", out, "--out", model]) == 0
    spec = tmp_path / "s.txt"
    spec.write_text("[verse]\nsail on home\n")
    assert main(["generate", str(spec), "--model", model, "-o", str(tmp_path / "songs"), "--steps", "2",
                 "--no-picture"]) == 0
    assert os.path.isfile(tmp_path / "songs" / "s" / "mix.flac")
    assert main(["model", "assemble", "--codec", codec, "--dit", str(tmp_path), "--out", model]) == 1
    assert "not a finished DiT run" in capsys.readouterr().err
