"""The FFT restoration term is the reference's mean |fft2(a) - fft2(b)|."""
import math

import torch

from mmdiffir.models.losses import DiffusionAlignLoss, FFTLoss, fft_l1


def _dft2_modulus_mean(a, b):
    """Closed form: the 2-D DFT written out as sums of cos/sin, then the
    complex modulus averaged over every frequency (no torch.fft)."""
    d = (a - b).double()
    h, w = d.shape[-2:]
    total, count = 0.0, 0
    for bc in d.reshape(-1, h, w):
        for u in range(h):
            for v in range(w):
                re = im = 0.0
                for y in range(h):
                    for x in range(w):
                        ang = -2 * math.pi * (u * y / h + v * x / w)
                        re += float(bc[y, x]) * math.cos(ang)
                        im += float(bc[y, x]) * math.sin(ang)
                total += math.hypot(re, im)
                count += 1
    return total / count


def test_fft_l1_equals_closed_form():
    torch.manual_seed(0)
    a, b = torch.rand(2, 3, 4, 5), torch.rand(2, 3, 4, 5)
    expected = _dft2_modulus_mean(a, b)
    assert abs(float(fft_l1(a, b)) - expected) < 1e-5 * max(1, expected)
    # not the old rfft / real-and-imaginary-parts form
    old = torch.view_as_real(torch.fft.rfft2(a) - torch.fft.rfft2(b)).abs()
    assert abs(float(old.mean()) - expected) > 1e-2


def test_fft_term_weight_is_0_1_by_default():
    torch.manual_seed(1)
    a, b = torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 8)
    terms = DiffusionAlignLoss().restoration(a, b)
    ref = (torch.fft.fft2(a) - torch.fft.fft2(b)).abs().mean()
    torch.testing.assert_close(terms['loss_fft'], 0.1 * ref)
    torch.testing.assert_close(FFTLoss()(a, b), 0.1 * ref)
