"""The mel codec: exact stacking, exact chunked encoding, a self-describing checkpoint, and a round trip that keeps
pitch (the property it was chosen for) — with a control that must fail."""
import numpy as np
import torch

from songforge.model import checkpoint
from songforge.model.melcodec import MelCodec, MelCodecConfig

SR = 24000


def _tone(f0: float, seconds: float = 2.0, harmonics: int = 8) -> np.ndarray:
    t = np.arange(int(SR * seconds)) / SR
    x = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, harmonics + 1))
    return (0.2 * x / np.abs(x).max()).astype(np.float32)


def _f0(x: np.ndarray) -> float:
    import librosa
    f = librosa.yin(x[SR // 4:-SR // 4], fmin=80, fmax=800, sr=SR, frame_length=2048)
    return float(np.median(f))


def test_shapes_rate_and_exact_unstacking():
    c = MelCodec(MelCodecConfig())
    x = torch.from_numpy(_tone(220.0, 1.3))[None]
    z = c.encode_long(x)
    assert c.cfg.latent_rate == 25.0 and z.shape == (1, 512, c.frames_for(x.shape[-1]))
    assert torch.equal(c.unstack(c.encode(c._pad(x))), c.mel(c._pad(x)))


def test_chunked_coding_equals_whole():
    c = MelCodec(MelCodecConfig(gl_iters=4))
    x = torch.from_numpy(_tone(330.0, 3.0))[None]
    whole = c.encode(c._pad(x))
    assert torch.equal(c.encode_long(x, chunk_frames=7), whole)
    y = c.decode_long(whole, chunk_frames=20, overlap=4)
    assert y.shape[-1] == whole.shape[-1] * c.cfg.samples_per_latent and torch.isfinite(y).all()


def test_checkpoint_is_the_config(tmp_path):
    c = MelCodec(MelCodecConfig(n_mels=96))
    checkpoint.save(c, "melcodec", str(tmp_path / "codec"))
    back, kind = checkpoint.load(str(tmp_path / "codec"))
    assert kind == "melcodec" and back.cfg == c.cfg
    x = torch.from_numpy(_tone(200.0, 0.5))[None]
    assert torch.equal(back.encode_long(x), c.encode_long(x))


def test_round_trip_keeps_pitch_and_a_shifted_control_does_not():
    c = MelCodec(MelCodecConfig())
    for f0 in (146.8, 261.6, 440.0):
        x = _tone(f0)
        y = c.decode_long(c.encode_long(torch.from_numpy(x)[None]))[0, :len(x)].numpy()
        cents = 1200 * abs(np.log2(_f0(y) / f0))
        assert cents < 15, (f0, cents)
        z = c.encode_long(torch.from_numpy(x)[None])
        shifted = c.stack(c.unstack(z).roll(3, dims=1))  # three mel bins up: a wrong pitch must be seen
        ys = c.decode(shifted)[0, :len(x)].numpy()
        assert 1200 * abs(np.log2(_f0(ys) / f0)) > 50


def test_mixture_masks_separate_two_sources_and_sum_to_the_mix():
    """Masks from each source's own latent pull a low tone and a high noise band apart from their sum; the
    separated stems add up to the mixture exactly. With the sources' latents swapped, the result is poor."""
    codec = MelCodec(MelCodecConfig())
    sr, n = 24000, 24000
    t = np.arange(n) / sr
    low = (0.3 * np.sin(2 * np.pi * 220.0 * t)).astype(np.float32)
    rng = np.random.default_rng(0)
    high = np.fft.irfft(np.fft.rfft(rng.standard_normal(n)) * (np.fft.rfftfreq(n, 1 / sr) > 3000)).astype(np.float32)
    high *= 0.3 / np.abs(high).max()
    mix = torch.from_numpy(low + high)
    z = codec.encode_long(torch.from_numpy(np.stack([low, high])))
    y = codec.mask_mixture(mix, z).numpy()

    def sdr(ref, est):
        return 10 * np.log10((ref ** 2).sum() / ((ref - est) ** 2).sum())
    assert np.abs(y.sum(0) - mix.numpy()).max() < 1e-4
    assert sdr(low, y[0]) > 20 and sdr(high, y[1]) > 20
    swapped = codec.mask_mixture(mix, z.flip(0)).numpy()
    assert sdr(low, swapped[0]) < 0
