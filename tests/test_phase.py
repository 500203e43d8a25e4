"""Phase reconstruction: the phase-vocoder start follows a sinusoid's true phase and helps Griffin-Lim."""
import math

import torch

from songforge.model.phase import _lobe_peak, griffin_lim, vocoder_phase

N_FFT, HOP, SR = 1024, 240, 24000
WINDOW = torch.hann_window(N_FFT)


def stft(x: torch.Tensor) -> torch.Tensor:
    return torch.stft(x, N_FFT, HOP, window=WINDOW, center=True, return_complex=True)


def wrap(a: torch.Tensor) -> torch.Tensor:
    return torch.remainder(a + math.pi, 2 * math.pi) - math.pi


def test_lobe_peak_maps_the_main_lobe_to_its_peak():
    mag = torch.full((1, 40, 1), 0.01)
    mag[0, 8:13, 0] = torch.tensor([0.2, 0.6, 1.0, 0.5, 0.1])
    peak = _lobe_peak(mag)[0, :, 0]
    assert peak[8:13].tolist() == [10] * 5
    assert peak[3].item() == 3 and peak[30].item() == 30


def test_vocoder_phase_advances_like_a_sinusoid():
    f = 1234.5  # between bins: the parabolic interpolation has to find it
    t = torch.arange(SR * 2) / SR
    spec = stft(torch.sin(2 * math.pi * f * t)[None])
    k = int(round(f * N_FFT / SR))
    true_step = wrap(spec.angle()[0, k, 11:-10] - spec.angle()[0, k, 10:-11])
    est = vocoder_phase(spec.abs(), N_FFT, HOP)
    est_step = wrap(est[0, k, 11:-10] - est[0, k, 10:-11])
    assert wrap(true_step - est_step).abs().max() < 0.05
    # the neighbours in the main lobe keep the frame-start reference of a centred window: pi per bin
    rel_true = wrap(spec.angle()[0, k + 1, 10:-10] - spec.angle()[0, k, 10:-10])
    rel_est = wrap(est[0, k + 1, 10:-10] - est[0, k, 10:-10])
    assert wrap(rel_true - rel_est).abs().median() < 0.3


def test_vocoder_start_beats_zero_start_at_equal_iterations():
    t = torch.arange(SR * 3) / SR
    x = torch.zeros_like(t)
    for f0 in (110.0, 164.8, 261.6):  # a chord of harmonic tones with vibrato
        ph = 2 * math.pi * torch.cumsum(f0 * (1 + 0.01 * torch.sin(2 * math.pi * 5 * t)), 0) / SR
        for h in range(1, 8):
            x += 0.1 / h * torch.sin(h * ph)
    mag = stft(x[None]).abs()

    def convergence(init: str) -> float:
        y = griffin_lim(mag, N_FFT, HOP, WINDOW, x.shape[-1], 8, init=init)
        return float((stft(y).abs() - mag).norm() / mag.norm())

    zero, vocoder = convergence("zero"), convergence("vocoder")
    assert vocoder < 0.75 * zero, (vocoder, zero)
