"""Generation and editing through the public API and the CLI, with a tiny randomly initialised model."""
import json
import os

import numpy as np
import pytest
import torch

from songforge.cli import main
from songforge.pipeline import Edit, Sampling, assemble, load

from conftest import EXAMPLES

LRC = os.path.join(EXAMPLES, "harbor.lrc")


def test_generate_shapes_and_determinism(tiny_model):
    sf = load(tiny_model)
    a, b = sf.generate(LRC, seed=3), sf.generate(LRC, seed=3)
    c = sf.generate(LRC, seed=4)
    n = int(round(a.plan.duration * 24000))
    assert set(a.stems) == {"vocals", "drums", "bass", "other"} and all(v.shape == (n,) for v in a.stems.values())
    assert np.allclose(a.mix, sum(a.stems.values()), atol=1e-6)
    assert np.array_equal(a.mix, b.mix) and not np.array_equal(a.mix, c.mix)
    assert a.latents.shape == (sf._frames(a.plan.duration), 4 * 8)
    # mixed as the data engine mixes: each stem at the plan's level (active RMS), the mix at -14 LUFS
    from songforge.render.mix import _rms_db, integrated_loudness
    lv = a.plan.levels_db
    for i, name in enumerate(("drums", "bass", "other"), start=1):
        assert abs((_rms_db(a.stems["vocals"]) - _rms_db(a.stems[name])) - (lv[0] - lv[i])) < 0.05
    assert abs(integrated_loudness(a.mix, 24000) - (-14.0)) < 0.5 or np.abs(a.mix).max() > 0.97
    raw = sf.generate(LRC, seed=3, mix_levels=False)
    assert np.allclose(raw.mix, sum(raw.stems.values()), atol=1e-6) and not np.allclose(raw.mix, a.mix)


def test_model_json_decode_settings_override_the_codec(tiny_model, tmp_path):
    import dataclasses
    import re
    import shutil
    folder = str(tmp_path / "m")
    shutil.copytree(tiny_model, folder)
    with open(os.path.join(folder, "model.json")) as f:
        meta = json.load(f)
    base = load(folder).codec.cfg
    name = next(f.name for f in dataclasses.fields(base) if isinstance(getattr(base, f.name), int))
    for decode, expect in (({name: getattr(base, name) + 1}, None), ({"griffin": 3}, "unknown codec setting(s) griffin")):
        with open(os.path.join(folder, "model.json"), "w") as f:
            json.dump(dict(meta, decode=decode), f)
        if expect:
            with pytest.raises(ValueError, match=re.escape(expect)):
                load(folder)
        else:
            assert getattr(load(folder).codec.cfg, name) == getattr(base, name) + 1


def test_vocal_guide_starts_the_vocals_from_the_data_engines_rendering(tiny_model):
    from dataclasses import replace

    from songforge.render.song import render_plan
    sf = load(tiny_model)
    plan = sf.plan(LRC)
    plain = sf.generate(plan, seed=2, mix_levels=False)
    kept = sf.generate(plan, seed=2, sampling=replace(sf.sampling, vocal_guide=1.0), mix_levels=False)
    half = sf.generate(plan, seed=2, sampling=replace(sf.sampling, vocal_guide=0.5), mix_levels=False)
    n, c = plain.latents.shape[0], 8
    rendering = sf._encode(render_plan(plan, 24000).stems["vocals"], n)
    # t0 = 1: the rendering itself (to espeak's run-to-run wobble); t0 = 0.5: the model finished it
    assert (kept.latents[:, :c] - rendering).abs().max() < 0.01 < 0.1 < (half.latents[:, :c] - rendering).abs().mean()
    assert not torch.allclose(half.latents[:, c:], plain.latents[:, c:])  # the band plays along with those vocals
    # the accompaniment guide does the same for drums, bass and other, and leaves the vocals to the model
    band = sf.generate(plan, seed=2, sampling=replace(sf.sampling, accompaniment_guide=1.0), mix_levels=False)
    stems = render_plan(plan, 24000).stems
    rendered = torch.cat([sf._encode(stems[s], n) for s in ("drums", "bass", "other")], dim=-1)
    # (fluidsynth starts notes on its 64-sample blocks, whose phase differs from render to render: not bit-exact)
    off = (band.latents[:, c:] - rendered).abs().mean()
    assert off < 0.05 < 0.2 < (plain.latents[:, c:] - rendered).abs().mean()
    assert not torch.allclose(band.latents[:, :c], plain.latents[:, :c])  # sung over the rendered band
    # pinned all the way, a stem is the rendered audio itself, not its codec round trip; a stem the model sampled
    # (the vocals here) is decoded as before
    for s in ("drums", "bass", "other"):
        corr = np.corrcoef(band.stems[s], stems[s][:len(band.stems[s])])[0, 1]
        assert corr > 0.99, (s, corr)
    assert np.corrcoef(half.stems["drums"], stems["drums"][:len(half.stems["drums"])])[0, 1] < 0.9


def test_a_song_styled_by_a_reference_recording_gets_the_accompaniment_guide(tiny_model, tmp_path):
    """Sampling.guides(plan): reference_accompaniment_guide pins drums, bass and other of a song whose style comes
    from a recording (and only of that song in a batch); an explicit accompaniment_guide wins; an instrumental's
    vocals stay the model's."""
    import dataclasses
    from dataclasses import replace

    import soundfile

    from songforge.render.song import render_plan
    sf = load(tiny_model)
    plan = sf.plan(LRC)
    ref = str(tmp_path / "ref.flac")
    soundfile.write(ref, np.zeros(24000, np.float32), 24000)  # never read: the plan is already made
    styled = replace(plan, spec=replace(plan.spec, style=replace(plan.spec.style, reference_audio=ref,
                                                                 reference_analysis="not heard: the plan is made")))
    s = replace(sf.sampling, vocal_guide=0.0, accompaniment_guide=0.0, reference_accompaniment_guide=1.0)
    assert s.guides(plan) == {} and s.guides(styled) == {"drums": 1.0, "bass": 1.0, "other": 1.0}
    assert replace(s, accompaniment_guide=0.4).guides(styled) == {"drums": 0.4, "bass": 0.4, "other": 0.4}
    assert "vocals" not in replace(s, vocal_guide=0.9).guides(dataclasses.replace(plan, melody=()))
    both = sf.generate_batch([styled, plan], seed=2, sampling=s, mix_levels=False)
    n, c = both[0].latents.shape[0], 8
    stems = render_plan(plan, 24000).stems
    rendered = torch.cat([sf._encode(stems[k], n) for k in ("drums", "bass", "other")], dim=-1)
    assert (both[0].latents[:, c:] - rendered).abs().mean() < 0.05 < 0.2 < (both[1].latents[:, c:] - rendered).abs().mean()


def test_edits_have_their_own_sampling_defaults(tiny_model, tmp_path):
    import shutil
    folder = str(tmp_path / "m")
    shutil.copytree(tiny_model, folder)
    assert load(folder).edit_sampling == load(folder).sampling  # none given: the same
    with open(os.path.join(folder, "model.json")) as f:
        meta = json.load(f)
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(dict(meta, sampling_edits={"steps": 2, "interval": [0.0, 0.5]}), f)
    sf = load(folder)
    assert (sf.sampling.steps, sf.edit_sampling.steps, sf.edit_sampling.interval) == (4, 2, (0.0, 0.5))
    assert sf.edit_sampling.guidance == sf.sampling.guidance  # the rest comes from "sampling"
    src = sf.generate(LRC, seed=1)
    audio = dict(src.stems, mix=src.mix)
    a = sf.generate(LRC, seed=2, edit=Edit(audio, span=(4.0, 8.0)))
    b = sf.generate(LRC, seed=2, sampling=sf.edit_sampling, edit=Edit(audio, span=(4.0, 8.0)))
    c = sf.generate(LRC, seed=2, sampling=sf.sampling, edit=Edit(audio, span=(4.0, 8.0)))
    assert torch.equal(a.latents, b.latents) and not torch.equal(a.latents, c.latents)


def test_batched_generation_matches_single(tiny_model):
    sf = load(tiny_model)
    p1, p2 = sf.plan(LRC), sf.plan(os.path.join(EXAMPLES, "two_songs_levo.jsonl"))
    batch = sf.generate_batch([p1, p2], seed=1)
    assert [g.plan.spec.id for g in batch] == [p1.spec.id, p2.spec.id]
    assert batch[0].mix.shape == (int(round(p1.duration * 24000)),)


def test_edits_keep_what_they_should(tiny_model):
    sf = load(tiny_model)
    src = sf.generate(LRC, seed=1)
    audio = dict(src.stems, mix=src.mix)
    z_known = torch.cat([sf._encode(audio[s], src.latents.shape[0]) for s in ("vocals", "drums", "bass", "other")], -1)
    span = sf.generate(LRC, seed=2, edit=Edit(audio, span=(4.0, 8.0)))
    inside = slice(100, 200)  # 4-8 s at 25 Hz
    assert torch.equal(span.latents[:100], z_known[:100]) and torch.equal(span.latents[200:], z_known[200:])
    assert not torch.equal(span.latents[inside], z_known[inside])
    sr = 24000  # the kept audio is the input itself, not its codec round trip (cross-faded over one frame)
    for name in ("vocals", "other"):
        assert np.array_equal(span.stems[name][:int(3.9 * sr)], audio[name][:int(3.9 * sr)])
        assert np.array_equal(span.stems[name][int(8.1 * sr):], audio[name][int(8.1 * sr):])
        assert not np.allclose(span.stems[name][int(4.1 * sr):int(7.9 * sr)], audio[name][int(4.1 * sr):int(7.9 * sr)])
    cont = sf.generate(LRC, seed=2, edit=Edit(audio, keep_until=5.0))
    assert torch.equal(cont.latents[:125], z_known[:125]) and not torch.equal(cont.latents[125:], z_known[125:])
    add = sf.generate(LRC, seed=2, edit=Edit({k: v for k, v in audio.items() if k != "bass"}, stem="bass"))
    assert torch.equal(add.latents[:, :16], z_known[:, :16]) and torch.equal(add.latents[:, 24:], z_known[:, 24:])
    assert not torch.equal(add.latents[:, 16:24], z_known[:, 16:24])
    assert np.array_equal(add.stems["drums"], audio["drums"]) and not np.allclose(add.stems["bass"], audio["bass"])
    sep = sf.generate(LRC, seed=2, edit=Edit({"mix": src.mix}, separate=True))
    assert sep.latents.shape == src.latents.shape
    assert sep.without(("drums",)).stems.keys() == {"vocals", "bass", "other"}
    with pytest.raises(ValueError, match="missing: drums"):
        sf.generate(LRC, edit=Edit({"vocals": src.mix}, span=(1.0, 2.0)))


def test_cli_generate_batch_resume_and_edits(tiny_model, tmp_path, capsys):
    out = str(tmp_path / "out")
    args = ["generate", os.path.join(EXAMPLES, "two_songs_levo.jsonl"), "-o", out, "--model", tiny_model,
            "--steps", "2", "--no-picture", "--batch-size", "2"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert len(first["written"]) == 2 and first["failed"] == 0
    assert main(args) == 0  # resume: nothing left to do
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["skipped_existing"] == 2
    song = first["written"][0]
    assert sorted(os.listdir(song)) == ["bass.flac", "drums.flac", "labels.json", "mix.flac", "other.flac", "vocals.flac"]
    spec = os.path.join(EXAMPLES, "two_songs_levo.jsonl")
    assert main(["generate", spec, "-o", str(tmp_path / "x"), "--model", tiny_model, "--steps", "2", "--no-picture",
                 "--song", os.path.join(song, "mix.flac"), "--extract-stem", "vocals"]) == 0
    got = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["written"][0]
    assert sorted(os.listdir(got)) == ["labels.json", "mix.flac", "vocals.flac"]
    assert main(["generate", spec, "-o", str(tmp_path / "y"), "--model", tiny_model, "--edit-span", "1", "2"]) == 1
    assert "editing needs --song" in capsys.readouterr().err
    assert main(["generate", spec, "-o", str(tmp_path / "y"), "--model", tiny_model, "--guidance", "lyric=2"]) == 1
    assert "--guidance: 'lyric=2'" in capsys.readouterr().err
    assert main(["generate", spec, "-o", str(tmp_path / "y"), "--model", tiny_model, "--vocal-guide", "1.5"]) == 1
    assert "--vocal-guide 1.5: must be between 0 and 1" in capsys.readouterr().err
    assert main(["generate", spec, "-o", str(tmp_path / "y"), "--model", tiny_model, "--accompaniment-guide", "-1"]) == 1
    assert "--accompaniment-guide -1: must be between 0 and 1" in capsys.readouterr().err
    assert main(["generate", spec, "-o", str(tmp_path / "y"), "--model", str(tmp_path)]) == 1
    assert "not a songforge model folder" in capsys.readouterr().err


def _song_digests(out: str) -> dict[str, str]:
    import hashlib
    got = {}
    for song in sorted(os.listdir(out)):
        for f in sorted(os.listdir(os.path.join(out, song))):
            with open(os.path.join(out, song, f), "rb") as fh:
                got[f"{song}/{f}"] = hashlib.sha256(fh.read()).hexdigest()
    return got


def test_a_songs_bytes_do_not_depend_on_the_songs_generated_before_it(tiny_model, tmp_path, capsys):
    """The guides render in forks of a clean zygote: espeak-ng and fluidsynth carry state from render to render, so
    in one process the second song's guide depended on the first (render/zygote.py)."""
    with open(os.path.join(EXAMPLES, "two_songs_levo.jsonl")) as f:
        lines = f.read().splitlines()
    digests = []
    for name, order in (("ab", lines), ("ba", lines[::-1])):
        spec = tmp_path / f"{name}.jsonl"
        spec.write_text("\n".join(order) + "\n")
        out = str(tmp_path / name)
        assert main(["generate", str(spec), "-o", out, "--model", tiny_model, "--steps", "2", "--no-picture",
                     "--duration", "14", "--vocal-guide", "0.9", "--accompaniment-guide", "0.5"]) == 0
        digests.append(_song_digests(out))
    capsys.readouterr()
    assert len(digests[0]) == 12 and digests[0] == digests[1]


def test_joint_guidance_term_drops_its_conditions_together():
    from songforge.flow.guidance import parse_guidance as _guidance
    from songforge.pipeline import Sampling
    g = _guidance("lyrics+style+plan=2, plan=0.5", ())
    assert g == (("lyrics+style+plan", 2.0), ("plan", 0.5))
    terms = Sampling(guidance=g).terms()
    assert [t.drop for t in terms] == [("lyrics", "style", "plan"), ("plan",)]
    with pytest.raises(ValueError, match="lyrics\\+melody=1"):
        _guidance("lyrics+melody=1", ())
