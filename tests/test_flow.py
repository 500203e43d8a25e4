"""Flow-matching math, tested analytically: path identities, grids, sampler orders of accuracy on a field
whose exact flow is known (Gaussian to Gaussian), and guidance as one batched forward pass."""
import math

import pytest
import torch

from songforge.flow.guidance import Term, guided_velocity
from songforge.flow.path import data_from_velocity, interpolate, noise_from_velocity, target_velocity
from songforge.flow.samplers import SAMPLERS, sample
from songforge.flow.timesteps import sampling_grid, train_times

M, S = 2.0, 0.5  # data ~ N(M, S^2), noise ~ N(0, 1), independent coupling


def gaussian_velocity(x, t):
    """E[x1 - x0 | x_t = x] for the straight path between N(0,1) and N(M, S^2): exact and linear in x."""
    t = t.to(torch.float64)
    var = (1 - t) ** 2 + t ** 2 * S ** 2
    return M + (t * S ** 2 - (1 - t)) / var * (x - t * M)


def test_path_identities():
    g = torch.Generator().manual_seed(0)
    x0, x1 = torch.randn(4, 3, 5, generator=g), torch.randn(4, 3, 5, generator=g)
    t = torch.rand(4, generator=g)
    xt = interpolate(x0, x1, t)
    v = target_velocity(x0, x1)
    assert torch.allclose(interpolate(x0, x1, torch.zeros(4)), x0) and torch.allclose(interpolate(x0, x1, torch.ones(4)), x1)
    eps = 1e-3
    fd = (interpolate(x0, x1, t + eps) - interpolate(x0, x1, t - eps)) / (2 * eps)
    assert torch.allclose(fd, v, atol=1e-3)
    assert torch.allclose(data_from_velocity(xt, v, t), x1, atol=1e-5)
    assert torch.allclose(noise_from_velocity(xt, v, t), x0, atol=1e-5)


def test_grids_and_train_times():
    ts = sampling_grid(16, shift=3.0)
    assert ts[0] == 0 and ts[-1] == 1 and bool(torch.all(ts[1:] > ts[:-1]))
    assert (ts[1] - ts[0]) < (ts[-1] - ts[-2])  # shift > 1: finer steps near the noise end
    assert torch.allclose(sampling_grid(4), torch.linspace(0, 1, 5))
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    a, b = train_times(1000, g1), train_times(1000, g2)
    assert torch.equal(a, b) and bool(((a > 0) & (a < 1)).all()) and abs(float(a.mean()) - 0.5) < 0.03


def _moments_error(name, steps, n=20000):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(n, generator=g, dtype=torch.float64)
    x_end = x.clone()
    out = sample(name, gaussian_velocity, x_end, sampling_grid(steps, dtype=torch.float64))
    # the exact flow map is affine: x1 = M + S x0 for this coupling's marginal flow
    return float((out - (M + S * x)).abs().max())


def test_samplers_converge_with_their_order():
    for name, order in (("euler", 1), ("heun", 2), ("midpoint", 2)):
        e1, e2 = _moments_error(name, 16), _moments_error(name, 32)
        assert e2 < e1
        assert math.log2(e1 / e2) >= order - 0.35, (name, e1, e2)  # at least its order (may do better here)
    assert _moments_error("heun", 16) < _moments_error("euler", 16) / 10


def test_samplers_are_pure():
    x = torch.randn(8, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    keep = x.clone()
    for name in SAMPLERS:
        a = sample(name, gaussian_velocity, x, sampling_grid(8, dtype=torch.float64))
        b = sample(name, gaussian_velocity, x, sampling_grid(8, dtype=torch.float64))
        assert torch.equal(a, b) and torch.equal(x, keep)
    with pytest.raises(ValueError):
        sample("dpm", gaussian_velocity, x, sampling_grid(2))


class CountingModel:
    """v = x * (1 + style + 2 * lyrics): each condition's contribution is known; counts forward calls."""

    def __init__(self):
        self.calls, self.batches = 0, []

    def __call__(self, x, t, cond):
        self.calls += 1
        self.batches.append(x.shape[0])
        return x * (1 + cond["style"] + 2 * cond["lyrics"])


def drop(cond, names):
    return {k: (torch.zeros_like(v) if k in names else v) for k, v in cond.items()}


def test_guidance_is_one_batched_call_with_the_right_formula():
    x = torch.ones(3, 4)
    cond = {"style": torch.ones(3, 1), "lyrics": torch.ones(3, 1)}
    terms = (Term(("style",), 4.5, (0.05, 1.0)), Term(("lyrics",), 2.5, (0.05, 1.0)))
    m = CountingModel()
    v = guided_velocity(m, x, torch.tensor(0.5), cond, terms, drop)
    assert m.calls == 1 and m.batches == [9]
    full, no_style, no_lyr = 4.0, 3.0, 2.0
    assert torch.allclose(v, torch.full_like(x, full + 4.5 * (full - no_style) + 2.5 * (full - no_lyr)))
    m2 = CountingModel()
    v_early = guided_velocity(m2, x, torch.tensor(0.01), cond, terms, drop)  # outside the interval: plain pass
    assert m2.batches == [3] and torch.allclose(v_early, torch.full_like(x, full))
    both = guided_velocity(CountingModel(), x, torch.tensor(0.5), cond, (Term(("style", "lyrics"), 2.0),), drop)
    assert torch.allclose(both, torch.full_like(x, full + 2.0 * (full - 1.0)))
    m3 = CountingModel()
    split = guided_velocity(m3, x, torch.tensor(0.5), cond, terms, drop, max_batch=3)  # one pass per call
    assert m3.batches == [3, 3, 3] and torch.equal(split, v)


@pytest.mark.parametrize("name", ["euler", "heun", "midpoint"])
def test_anchored_entries_follow_the_noised_rendering_until_t0(name):
    from songforge.flow.path import interpolate
    from songforge.flow.shallow import anchored
    g = torch.Generator().manual_seed(0)
    x0, target = torch.randn(2, 6, 4, generator=g), torch.randn(2, 6, 4, generator=g)
    mask = torch.tensor([True, False])[:, None, None]  # the first two channels of item 0 are pinned
    target = target[..., :2]
    seen = []

    def model(x, t):
        seen.append((float(t), x.clone()))
        return -x + x.mean(-1, keepdim=True) + torch.sin(3 * t)  # couples the channels

    ts = torch.linspace(0, 1, 11)
    out = sample(name, anchored(model, x0, target, mask, 0.55, slice(0, 2)), x0, ts)
    for t, x in seen:  # every state the model is asked about has the pinned entries on the rendering's path
        if t <= 0.55:
            assert torch.allclose(x[0, :, :2], interpolate(x0[0, :, :2], target[0], torch.tensor(t)), atol=1e-5)
    assert not torch.allclose(out[0, :, :2], target[0], atol=1e-3)  # the model moved them after t0
    free = sample(name, model, x0, ts)
    assert not torch.allclose(out[0, :, 2:], free[0, :, 2:])  # the others see the pinned ones
    assert torch.equal(out[1], free[1])  # an item with nothing pinned is sampled as it would be
    assert torch.equal(sample(name, anchored(model, x0, target, mask, 0.0, slice(0, 2)), x0, ts), free)  # t0 = 0: plain sampling
    kept = sample(name, anchored(model, x0, target, mask, 1.0, slice(0, 2)), x0, ts)
    assert torch.allclose(kept[0, :, :2], target[0], atol=1e-5)  # t0 past 1: the rendering kept
