"""The DiT at a tiny config on CPU: shapes, masking of frames past the end, condition on/off flags,
determinism from a seed, save/load round trip."""
import pytest
import torch

from songforge.model.checkpoint import build, load, save
from songforge.model.dit import DiTConfig

TINY = DiTConfig(latent_channels=4, stems=2, dim=32, depth=2, heads=2, mlp_hidden=64, lyrics_dim=16, style_dim=8)
TINY_FH = DiTConfig(latent_channels=8, stems=2, dim=32, depth=2, heads=2, mlp_hidden=64, lyrics_dim=16, style_dim=8,
                    frame_head=16, frame_head_layers=2)


def inputs(b=2, n=12, seed=0, cfg=TINY):
    g = torch.Generator().manual_seed(seed)
    c = cfg.io_channels
    cond = {"known": torch.randn(b, n, c, generator=g), "edit_mask": torch.zeros(b, n, TINY.stems),
            "phonemes": torch.randint(0, TINY.phoneme_vocab, (b, n * TINY.grid_factor), generator=g),
            "onsets": (torch.rand(b, n * TINY.grid_factor, 3, generator=g) > 0.8).float(),
            "plan": torch.randn(b, n, TINY.plan_dim, generator=g), "style": torch.randn(b, TINY.style_dim, generator=g),
            "duration": torch.rand(b, 2, generator=g), "frame_mask": torch.ones(b, n, dtype=torch.bool),
            "lyrics_on": torch.ones(b), "plan_on": torch.ones(b), "style_on": torch.ones(b),
            "mix": torch.randn(b, n, cfg.latent_channels, generator=g), "mix_on": torch.zeros(b)}
    return torch.randn(b, n, c, generator=g), torch.rand(b, generator=g), cond


def trained_like(seed=0, cfg=TINY):
    m = build("dit", cfg, seed)
    with torch.no_grad():  # leave the zero init so the output depends on every input
        for p in m.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=torch.Generator().manual_seed(seed + p.numel())))
    return m.eval()


def test_shapes_and_zero_init():
    m = build("dit", TINY, 0)
    x, t, cond = inputs()
    v = m(x, t, cond)
    assert v.shape == x.shape and torch.count_nonzero(v) == 0  # adaLN-zero + zero output: starts at v = 0


@pytest.mark.parametrize("cfg", [TINY, TINY_FH], ids=["plain", "frame_head"])
def test_frames_past_the_end_do_not_leak(cfg):
    m = trained_like(0, cfg)
    x, t, cond = inputs(cfg=cfg)
    cond["frame_mask"][:, 8:] = False
    v1 = m(x, t, cond)
    x2 = x.clone()
    x2[:, 8:] += 5.0
    cond2 = dict(cond, plan=cond["plan"].clone())
    cond2["plan"][:, 8:] += 5.0
    v2 = m(x2, t, cond2)
    assert torch.allclose(v1[:, :8], v2[:, :8], atol=1e-5)


def test_a_mask_that_keeps_every_frame_is_the_same_as_none():
    m = trained_like()
    x, t, cond = inputs()
    assert torch.allclose(m(x, t, cond), m(x, t, dict(cond, frame_mask=None)), atol=1e-5)
    cond["frame_mask"][1, 8:] = False  # one item shorter: the mask is used
    assert not torch.allclose(m(x, t, cond)[1], m(x, t, dict(cond, frame_mask=None))[1], atol=1e-4)


@pytest.mark.parametrize("cfg", [TINY, TINY_FH], ids=["plain", "frame_head"])
def test_condition_flags_remove_their_input(cfg):
    m = trained_like(0, cfg)
    x, t, cond = inputs(cfg=cfg)
    off = dict(cond, lyrics_on=torch.zeros(2))
    other = dict(off, phonemes=torch.randint(0, TINY.phoneme_vocab, cond["phonemes"].shape))
    assert torch.allclose(m(x, t, off), m(x, t, other), atol=1e-6)
    assert not torch.allclose(m(x, t, cond), m(x, t, off), atol=1e-4)


def test_inputs_by_column_blocks_match_the_whole_projection():
    """inputs() skips the known/mix blocks of in_proj when they are all zero; with an edit mask or a mixture
    present it must equal the projection of the whole concatenated input."""
    m = trained_like()
    x, _, cond = inputs()
    ch = TINY.latent_channels
    for keep_on, mix_on in ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)):
        cd = dict(cond, edit_mask=(torch.rand(2, 12, TINY.stems, generator=torch.Generator().manual_seed(1)) > 0.5).float() * keep_on,
                  mix_on=torch.tensor([0.0, mix_on]))
        keep, mo = cd["edit_mask"], cd["mix_on"][:, None, None]
        whole = m.in_proj(torch.cat([x, cd["known"] * keep.repeat_interleave(ch, dim=-1), keep, cd["mix"] * mo,
                                     mo.expand(2, 12, 1)], dim=-1))
        assert torch.allclose(m.inputs(x, cd), whole, atol=1e-5)


def test_deterministic_and_save_load(tmp_path):
    a, b = build("dit", TINY, 7), build("dit", TINY, 7)
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    m = trained_like(3)
    x, t, cond = inputs()
    save(m, "dit", str(tmp_path / "ckpt"))
    m2, kind = load(str(tmp_path / "ckpt"))
    assert kind == "dit" and m2.cfg == TINY
    assert torch.equal(m(x, t, cond), m2(x, t, cond))
    with pytest.raises(FileNotFoundError):
        load(str(tmp_path / "nothing"))


def test_plan_features_and_dropout():
    import os
    import numpy as np
    from songforge.cond.dropout import drop_conditions, null_conditions
    from songforge.cond.plan_grid import PLAN_DIM, plan_features
    from songforge.flow.guidance import Term, guided_velocity
    from songforge.model.dit import PLAN_DIM as MODEL_PLAN_DIM
    from songforge.plan.plan import make_plan
    from songforge.songs import load
    assert PLAN_DIM == MODEL_PLAN_DIM
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    s = load(os.path.join(root, "examples", "harbor_acestep.json"))[0][0]
    p = make_plan(s.spec, s.timing)
    f = plan_features(p, 25.0)
    assert f.shape == (int(round(p.duration * 25)), PLAN_DIM)
    assert np.all(f[:, :12].sum(1) >= 3)  # a chord sounds everywhere
    k = int(p.melody[0].start * 25 + 1)
    assert f[k, 37] == 1 and f[k, 24 + p.melody[0].pitch % 12] == 1
    from songforge.cond.plan_grid import _BASS0, _DRUM0, _ONSET0, BASS_LO, MIDI_LO, PLAN_DIM_V1, PLAN_DIM_V2
    assert f[k, PLAN_DIM_V1 + p.melody[0].pitch - MIDI_LO] == 1 and f[k, PLAN_DIM_V1:PLAN_DIM_V2].sum() == 1
    b = p.bass[0]  # the accompaniment the renderer plays: bass note, attacks, drums
    kb = int(b.start * 25 + 1)
    assert f[kb, _BASS0 + b.pitch - BASS_LO] == 1 and f[kb, _BASS0:_ONSET0].sum() == 1
    assert f[:, _ONSET0].sum() == len({int(x.start * 25 + 1e-6) for x in p.bass})
    assert f[:, _DRUM0].sum() == len({int(h.time * 25 + 1e-6) for h in p.drums if h.instrument == "kick"}) > 0
    assert f[:, 38].sum() == len(p.beats) and f[:, 39].sum() == len(p.downbeats)
    x, t, cond = inputs(b=64)
    d = drop_conditions(cond, torch.Generator().manual_seed(0))
    assert 0 < (d["plan_on"] == 0).sum() < 64 and torch.equal(cond["plan_on"], torch.ones(64))
    m = trained_like()
    x, t, cond = inputs()
    v = guided_velocity(m, x, t[:1], cond, (Term(("style",), 3.0), Term(("lyrics",), 2.0)), null_conditions)
    assert v.shape == x.shape


def test_grown_init_keeps_the_old_model():
    """A model with a longer plan/style layout and new (zero-started) routes, started from an older one, computes
    what the older one did; moving a new route then changes the output (the comparison can fail)."""
    from dataclasses import replace
    from songforge.train.run import grown_state
    old = trained_like(3, replace(TINY, plan_dim=41, style_dim=4))
    new = build("dit", replace(TINY, style_tokens=True, lyrics_subframes=True), 4).eval()
    new.load_state_dict(grown_state(new.state_dict(), old.state_dict()), strict=False)
    x, t, cond = inputs()
    cond = dict(cond, plan=torch.cat([cond["plan"][..., :41], torch.rand_like(cond["plan"][..., 41:])], -1))
    with torch.no_grad():
        assert torch.allclose(old(x, t, cond), new(x, t, cond), atol=1e-5)
        assert torch.count_nonzero(old(x, t, cond)) > 0
        new.lyrics_sub.weight.add_(0.1)
        assert not torch.allclose(old(x, t, cond), new(x, t, cond), atol=1e-3)


def test_frame_head_grows_exactly_and_refines_only_the_vocals():
    """A model grown with the frame head computes what the old one did; once its output layer moves, only the
    vocal stem (stem 0) changes, and it reads the lyrics at the frame rate (with the token route of the lyrics cut,
    a phoneme swapped inside one token still changes that token's vocals, and nothing else)."""
    from dataclasses import replace
    from songforge.train.run import grown_state
    old = trained_like(3, replace(TINY_FH, frame_head=0))
    new = build("dit", TINY_FH, 4).eval()
    new.load_state_dict(grown_state(new.state_dict(), old.state_dict()), strict=False)
    x, t, cond = inputs(cfg=TINY_FH)
    c = TINY_FH.latent_channels
    with torch.no_grad():
        assert torch.allclose(old(x, t, cond), new(x, t, cond), atol=1e-5)
        new.frame_head.out.weight.normal_(0.0, 0.3)
        a, b = old(x, t, cond), new(x, t, cond)
        assert torch.allclose(a[..., c:], b[..., c:], atol=1e-5)
        assert not torch.allclose(a[..., :c], b[..., :c], atol=1e-3)
        new.lyrics_proj.weight.zero_()
        new.lyrics_proj.bias.zero_()
        b = new(x, t, cond)
        ph = cond["phonemes"].clone()
        ph[:, 21] = (ph[:, 21] + 1) % TINY_FH.phoneme_vocab  # token 5, sub-frame 1
        d = (new(x, t, dict(cond, phonemes=ph)) - b).abs()
        assert float(d[:, 5, :c].min()) > 1e-6 and float(d[..., c:].max()) < 1e-6


def test_block_local_attention_for_long_sequences():
    """attention_window: short sequences are exactly full attention; long ones see only neighbouring blocks (a
    change at frame 0 cannot reach frame 40 through one layer with 4-frame blocks), and a batch item that ends
    early stays finite and does not leak its padding."""
    from dataclasses import replace
    cfg = replace(TINY, depth=1, attention_window=4)
    full, local = trained_like(5, replace(cfg, attention_window=0)), trained_like(5, cfg)
    x, t, cond = inputs(n=12)
    with torch.no_grad():
        assert torch.equal(full(x, t, cond), local(x, t, cond))  # 12 frames = 3 blocks: full attention
        x, t, cond = inputs(n=48)
        a = local(x, t, cond)
        x2 = x.clone()
        x2[:, 0] += 3.0
        b = local(x2, t, cond)
        assert torch.allclose(a[:, 40:], b[:, 40:], atol=1e-6) and not torch.allclose(a[:, :4], b[:, :4], atol=1e-4)
        assert not torch.allclose(a, full(x, t, cond), atol=1e-4)
        cond["frame_mask"][1, 10:] = False
        c = local(x, t, cond)
        x3 = x.clone()
        x3[1, 10:] += 5.0
        assert torch.isfinite(c).all() and torch.allclose(c[1, :10], local(x3, t, cond)[1, :10], atol=1e-5)


def test_style_vector_layout():
    import numpy as np
    from songforge.cond.style import STYLE_DIM, STYLE_DIM_V1, STYLE_DIM_V2, STYLE_NAMES, style_vector
    from songforge.cond.voice import VARIANTS, VOICE_DIM
    from songforge.plan.plan import make_plan
    from songforge.plan.styles import BY_NAME
    from songforge.plan.timing import time_song
    from songforge.spec.song import Line, Section, SongSpec, Style, Word
    spec = SongSpec("v", (Section("verse", (Line((Word("hello"), Word("world")), "en"),)),), 20.0,
                    Style(("drum and bass",)))
    plan = make_plan(spec, time_song(spec))
    v = style_vector(plan)
    assert v.shape == (STYLE_DIM,) and STYLE_DIM_V2 == STYLE_DIM_V1 + len(STYLE_NAMES) - 12
    assert STYLE_DIM == STYLE_DIM_V2 + VOICE_DIM
    voice = v[STYLE_DIM_V2:]  # the singer: engine flag, exactly one espeak variant, formant scale
    assert voice[0] == (plan.voice.engine == "neural")
    assert voice[1 + VARIANTS.index(plan.voice.espeak.split("+")[1])] == 1 and voice[1:1 + len(VARIANTS)].sum() == 1
    assert np.isclose(voice[-4], (plan.voice.formant - 1) * 5)
    assert v[STYLE_NAMES.index(BY_NAME["dnb"].parent)] == 1 and v[STYLE_DIM_V1 + STYLE_NAMES.index("dnb") - 12] == 1
    assert np.isclose(v[12 + 35], (BY_NAME["dnb"].bpm - 120) / 60)
