"""The vocal separator: `songforge train separator` runs end to end on a real tiny corpus and writes a loadable
checkpoint; its two outputs add up to the mixture; long recordings in chunks give what one pass gives; the
validation measure tells a perfect mask from a useless one; a model folder with a separator takes the vocals with it
(and model.json's settings for it), the DiT's shares splitting the rest, the stems still adding up to the input."""
import json
import os

import pytest
import torch

from songforge.model import checkpoint
from songforge.model.separator import Separator, SeparatorConfig
from songforge.train.separator_task import separation_db

from conftest import ROOT

TINY = SeparatorConfig(n_fft=256, hop=64, dim=16, kernel=3, dilations=(1, 2))


def test_train_separator_cli(tiny_corpus, tmp_path):
    from songforge.cli import main
    out = str(tmp_path / "sep")
    assert main(["train", "separator", "--config", os.path.join(ROOT, "configs", "separator_tiny.json"),
                 "--data", tiny_corpus, "--out", out]) == 0
    model, kind = checkpoint.load(os.path.join(out, "final"))
    assert kind == "separator" and isinstance(model, Separator)
    with open(os.path.join(out, "eval.jsonl")) as f:
        last = json.loads(f.readlines()[-1])
    assert last["clips"] > 0 and last["leak_db"] < 10 and last["lost_db"] <= 0


def test_outputs_add_up_to_the_mixture_and_chunks_match_one_pass():
    torch.manual_seed(0)
    model = Separator(TINY).eval()
    mix = torch.randn(1, TINY.sample_rate * 9) * 0.1
    vocals, rest = model.separate(mix)
    assert vocals.shape == rest.shape == mix.shape
    assert torch.allclose(vocals + rest, mix, atol=1e-5)
    chunked, _ = model.separate(mix, chunk_s=2.0)  # 2 s of context either side covers this model's reach
    assert torch.allclose(chunked, vocals, atol=1e-5)


class _Fixed(Separator):
    """A separator whose mask is given: to check the measure itself."""

    def __init__(self, cfg, vocals, rest, perfect: bool):
        super().__init__(cfg)
        v, a = self.stft(vocals[None]), self.stft(rest[None])
        self.fixed = (v.abs() ** 2 / (v.abs() ** 2 + a.abs() ** 2).clamp_min(1e-12)) if perfect else \
            torch.full(v.shape, 0.5)

    def mask(self, spec):
        return self.fixed


def test_separation_db_tells_a_good_mask_from_a_useless_one():
    torch.manual_seed(1)
    t = torch.arange(TINY.sample_rate * 2) / TINY.sample_rate
    vocals = 0.3 * torch.sin(2 * torch.pi * 440 * t)
    rest = 0.3 * torch.sin(2 * torch.pi * 97 * t)
    good = separation_db(_Fixed(TINY, vocals, rest, True), vocals, rest)
    bad = separation_db(_Fixed(TINY, vocals, rest, False), vocals, rest)
    assert good[0] < -20 < bad[0] + 20 and bad[0] > -7  # half the vocals left: about -6 dB
    assert good[1] > -60 and bad[1] > good[1]  # a half mask loses half the accompaniment: more lost


def test_a_model_folder_with_a_separator_takes_the_vocals_from_it(tmp_path):
    import numpy as np

    from songforge.model.dit import DiTConfig
    from songforge.pipeline import Edit, Sampling, assemble, load
    from conftest import EXAMPLES
    lrc = os.path.join(EXAMPLES, "harbor.lrc")
    dit = checkpoint.build("dit", DiTConfig(latent_channels=512, dim=32, depth=1, heads=2, mlp_hidden=64,
                                            lyrics_dim=16), 0)
    checkpoint.save(dit, "dit", str(tmp_path / "d"))
    stats = {"mean": [-6.0] * 512, "std": [2.0] * 512, "codec": "test"}
    folder = assemble(str(tmp_path / "m"), os.path.join(ROOT, "songforge", "models", "default", "codec"),
                      str(tmp_path / "d"), stats, Sampling(steps=2), {"name": "tiny"}, dtype=torch.float32)
    plain = load(folder)
    assert plain.separator is None
    n = int(round(plain.plan(lrc, seed=1).duration * plain.sample_rate))
    mix = (0.1 * np.random.default_rng(0).standard_normal(n)).astype(np.float32)
    torch.manual_seed(0)
    checkpoint.save(Separator(TINY), "separator", os.path.join(folder, "separator"))
    sf = load(folder)
    assert isinstance(sf.separator, Separator)
    edit = Edit({"mix": mix}, separate=True)
    sep, old = sf.generate(lrc, seed=1, edit=edit), plain.generate(lrc, seed=1, edit=edit)
    # the separator takes the vocals; drums, bass and other share what is left as the DiT's stems do
    _, rest = sf.separator.separate(torch.from_numpy(mix)[None])
    assert np.allclose(sep.stems["drums"] + sep.stems["bass"] + sep.stems["other"], rest[0].numpy(), atol=1e-5)
    assert np.allclose(sep.stems["vocals"], mix - rest[0].numpy(), atol=1e-5)
    assert np.allclose(sum(sep.stems.values()), mix, atol=1e-4)  # the four stems still add up to the input
    assert not np.allclose(sep.stems["vocals"], old.stems["vocals"], atol=1e-3)
    assert np.array_equal(sep.latents.numpy(), old.latents.numpy())  # the DiT's part is the same
    # model.json "separation" sets how hard the rest is masked; unknown settings are refused, naming the file
    with open(os.path.join(folder, "model.json")) as f:
        meta = json.load(f)
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(dict(meta, separation={"rest_mask_power": 2.0}), f)
    hard = load(folder).generate(lrc, seed=1, edit=edit)
    spec, m = sf.separator.vocal_mask(torch.from_numpy(mix)[None])
    expect = sf.separator.istft((1 - m) ** 2 * spec, len(mix))[0].numpy()
    assert np.allclose(hard.stems["drums"] + hard.stems["bass"] + hard.stems["other"], expect, atol=1e-5)
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(dict(meta, separation={"power": 2.0}), f)
    with pytest.raises(ValueError, match="model.json: field 'separation': unknown setting"):
        load(folder)
