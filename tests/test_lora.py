"""LoRA adapters: an adapted DiT starts as its base, merging gives the adapted function exactly, an adapter trained
by `songforge train dit --lora` is small, resumable, refused on another base, and used by `generate --adapter`."""
import json
import os
import subprocess
import sys

import pytest
import torch

from songforge.model import checkpoint
from songforge.model.dit import DiTConfig
from songforge.model.lora import add_lora, adapted_names, is_lora, merge_adapter, save_adapter


def _dit(seed=0, **kw):
    return checkpoint.build("dit", DiTConfig(latent_channels=8, dim=32, depth=2, heads=2, mlp_hidden=64, lyrics_dim=16,
                                             **kw), seed)


def _inputs():
    g = torch.Generator().manual_seed(3)
    x = torch.randn(2, 64, 32, generator=g)
    return x


def test_an_adapted_layer_starts_as_its_base_and_merges_exactly(tmp_path):
    base = _dit()
    layer = base.blocks[0].attn.qkv
    x = _inputs()
    before = layer(x)
    names = add_lora(base, rank=4, alpha=8.0)
    assert {"blocks.1.mlp.w3", "blocks.0.mod", "style_proj", "out_proj"} <= set(names)
    assert torch.allclose(layer(x), before)  # B starts at zero
    with torch.no_grad():
        for n, p in base.named_parameters():
            if n.endswith("lora_b"):
                p.normal_(0, 0.1)
    adapted = layer(x)
    assert not torch.allclose(adapted, before)
    checkpoint.save(_dit(), "dit", str(tmp_path / "base"))
    save_adapter(base.state_dict(), 4, 8.0, str(tmp_path / "base"), str(tmp_path / "adapter"))
    plain, _ = checkpoint.load(str(tmp_path / "base"))
    merge_adapter(plain, str(tmp_path / "adapter"), str(tmp_path / "base"))
    assert torch.allclose(plain.blocks[0].attn.qkv(x), adapted, atol=1e-3)  # the adapter is stored in fp16
    other = tmp_path / "other"
    checkpoint.save(_dit(seed=1), "dit", str(other))
    with pytest.raises(ValueError, match="another base model"):
        merge_adapter(checkpoint.load(str(other))[0], str(tmp_path / "adapter"), str(other))


def test_a_lora_config_builds_adapters_and_keeps_base_keys():
    m = _dit(lora_rank=2)
    keys = set(m.state_dict())
    assert set(_dit().state_dict()) <= keys
    assert {k for k in keys if is_lora(k)} == {f"{n}.lora_{ab}" for n in adapted_names(m) for ab in "ab"}


def test_train_lora_writes_a_small_adapter_that_generate_uses(tiny_model, tiny_corpus, tmp_path, examples):
    run = str(tmp_path / "run")
    cfg = tmp_path / "lora.json"
    cfg.write_text(json.dumps({"kind": "dit", "model": {"lora_alpha": 4.0},
                               "train": {"steps": 4, "batch_size": 2, "warmup": 1, "save_every": 2, "segment_s": 4.0,
                                         "lr": 0.01}}))
    base = [sys.executable, "-m", "songforge", "train", "dit", "--init", tiny_model, "--data", tiny_corpus, "--lora",
            "2", "--config", str(cfg), "--out", run]
    r = subprocess.run(base + ["--steps", "2"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    r = subprocess.run(base + ["--resume"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    adapter = os.path.join(run, "adapter")
    meta = json.load(open(os.path.join(adapter, "adapter.json")))
    assert meta["rank"] == 2 and meta["card"]["steps"] == 4 and meta["card"]["songs"] >= 1
    assert os.path.getsize(os.path.join(adapter, "adapter.safetensors")) < 5_000_000
    out = tmp_path / "songs"
    r = subprocess.run([sys.executable, "-m", "songforge", "generate", os.path.join(examples, "harbor.lrc"), "-o",
                        str(out), "--model", tiny_model, "--adapter", adapter, "--no-picture"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    r = subprocess.run([sys.executable, "-m", "songforge", "generate", os.path.join(examples, "harbor.lrc"), "-o",
                        str(tmp_path / "x"), "--adapter", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert r.returncode != 0 and "not an adapter folder" in r.stderr
