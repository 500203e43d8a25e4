"""Training on CPU with tiny configs: the codec and DiT loops run on a real (tiny) corpus, and a run killed
after a checkpoint and resumed ends with the same loss curve and weights as an uninterrupted one."""
import json
import os
from dataclasses import replace

import pytest
import torch

from songforge.model import checkpoint
from songforge.model.codec import Codec, CodecConfig
from songforge.train.config import load_config
from songforge.train.loop import fit

from conftest import ROOT

CONFIGS = os.path.join(ROOT, "configs")


def _losses(run):
    with open(os.path.join(run, "log.jsonl")) as f:
        return [json.loads(line)["loss"] for line in f]


def _codec_task(corpus):
    from songforge.train.codec_task import CodecTask
    kind, mcfg, tc = load_config(os.path.join(CONFIGS, "codec_tiny.json"))
    tc = replace(tc, steps=6, save_every=3)
    return CodecTask(corpus, mcfg, tc, progress=False), mcfg, tc


def test_codec_shapes_and_chunked_matches_whole():
    cfg = CodecConfig(latent_channels=8, dim=32, enc_blocks=1, dec_blocks=1)
    m = checkpoint.build("codec", cfg, 0).eval()
    x = torch.randn(2, 24000 * 3 + 100) * 0.1
    z = m.encode(x)
    assert z.shape == (2, 8, m.frames_for(x.shape[-1])) == (2, 8, 76)
    assert m.decode(z).shape == (2, 76 * 960)
    # chunked encode equals the whole-signal encode away from the edges (the receptive field fits in the overlap)
    zc = m.encode_long(x, chunk_frames=20, overlap=8)
    assert torch.allclose(zc, z, atol=1e-4)
    yc, y = m.decode_long(z, chunk_frames=20, overlap=8), m.decode(z)
    assert torch.allclose(yc, y, atol=1e-3)


def test_codec_resume_after_kill_matches_uninterrupted(tiny_corpus, tmp_path):
    task, mcfg, tc = _codec_task(tiny_corpus)
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    fit(task, checkpoint.build("codec", mcfg, tc.seed), "codec", tc, a, progress=False)
    fit(task, checkpoint.build("codec", mcfg, tc.seed), "codec", tc, b, stop_at=4, progress=False)  # "killed" at 4
    assert len(_losses(b)) == 4  # step 4 ran after the last checkpoint (3) and is replayed on resume
    fit(task, checkpoint.build("codec", mcfg, tc.seed + 1), "codec", tc, b, progress=False)  # fresh init: resume wins
    assert _losses(a) == _losses(b) and len(_losses(a)) == 6
    ma, mb = checkpoint.load(os.path.join(a, "final"))[0], checkpoint.load(os.path.join(b, "final"))[0]
    assert all(torch.equal(p, q) for p, q in zip(ma.state_dict().values(), mb.state_dict().values()))
    assert _losses(a)[0] != _losses(a)[-1]


def test_dit_trains_on_cached_latents(tiny_corpus, tmp_path):
    from songforge.train.dit_task import DiTTask
    task, mcfg, tc = _codec_task(tiny_corpus)
    fit(task, checkpoint.build("codec", mcfg, 0), "codec", replace(tc, steps=2), str(tmp_path / "codec"), progress=False)
    kind, dcfg, dtc = load_config(os.path.join(CONFIGS, "dit_tiny.json"))
    dtc = replace(dtc, steps=4, save_every=2)
    dt = DiTTask(tiny_corpus, dcfg, dtc, str(tmp_path / "codec" / "final"), str(tmp_path / "latents"), progress=False)
    b = dt.batch(0, torch.Generator().manual_seed(0))
    n = dt.frames
    assert b["x1"].shape == (dtc.batch_size, n, dcfg.io_channels) and b["phonemes"].shape == (dtc.batch_size, 4 * n)
    assert set(torch.unique(b["edit_mask"]).tolist()) <= {0.0, 1.0}
    out = fit(dt, checkpoint.build("dit", dcfg, 0), "dit", dtc, str(tmp_path / "dit"), progress=False)
    assert out["step"] == 4 and "valid_flow_loss" in out["eval"]
    # the cache is keyed by the codec: a second task reuses it
    before = os.path.getmtime(tmp_path / "latents" / "stats.json")
    DiTTask(tiny_corpus, dcfg, dtc, str(tmp_path / "codec" / "final"), str(tmp_path / "latents"), progress=False)
    assert os.path.getmtime(tmp_path / "latents" / "stats.json") == before
    # a cache written under an older condition layout keeps its latents and gets its conditions again
    from safetensors.torch import load_file, save_file
    stats_path = tmp_path / "latents" / "stats.json"
    stats = json.loads(stats_path.read_text())
    clip = next(p for p in (tmp_path / "latents").iterdir() if p.suffix == ".safetensors")
    fresh = load_file(clip)
    save_file(dict(fresh, style=fresh["style"][:60]), clip)
    stats_path.write_text(json.dumps(dict(stats, conditions="plan143-style60")))
    DiTTask(tiny_corpus, dcfg, dtc, str(tmp_path / "codec" / "final"), str(tmp_path / "latents"), progress=False)
    again = load_file(clip)
    assert json.loads(stats_path.read_text())["conditions"] == stats["conditions"]
    assert torch.equal(again["style"], fresh["style"]) and torch.equal(again["stems"], fresh["stems"])


def test_config_errors_name_the_field(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"kind": "dit", "model": {"dimm": 3}}))
    with pytest.raises(ValueError, match=r"bad.json: model: unknown field\(s\) dimm"):
        load_config(str(p))
    p.write_text(json.dumps({"kind": "vae"}))
    with pytest.raises(ValueError, match="field 'kind'"):
        load_config(str(p))


def test_codec_is_a_registered_kind():
    assert checkpoint.KINDS["codec"][0] is Codec
