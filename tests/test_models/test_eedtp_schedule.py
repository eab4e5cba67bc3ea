"""EEDTP's additive noise levels against the closed form and the table of
METHODS.md §1.2, and the registered EEDTPNoiseSchedule."""
import math

import numpy as np
import pytest
import torch

from mmdiffir.models.diffusion import EEDTPNoiseSchedule, irsde_sigma_bars
from mmdiffir.t_mat import T_MAT

# METHODS.md §1.2, sigmabar_t in units of 1/255
TABLE = {1: 1.0, 4: 2.9, 8: 5.2, 12: 7.0, 15: 8.0, 19: 8.9, 22: 9.4, 27: 9.8}


def closed_form(T, sigma_max):
    """§1.2 written out step by step with plain numpy loops."""
    s = 1000 / (T + 1)
    lo, hi = 1e-4 * s, 0.02 * s
    theta = [lo + (hi - lo) * i / T for i in range(T + 1)]
    theta_bar = [sum(theta[1:t + 1]) for t in range(T + 1)]
    dt = -math.log(0.005) / theta_bar[T]
    return np.array([
        sigma_max * math.sqrt(1 - math.exp(-2 * tb * dt)) for tb in theta_bar
    ])


@pytest.mark.parametrize('T,sigma_max', [(50, 10 / 255), (20, 0.1),
                                         (100, 25 / 255)])
def test_matches_closed_form(T, sigma_max):
    sb = irsde_sigma_bars(T, sigma_max)
    assert sb.dtype == torch.float64 and sb.shape == (T + 1, )
    np.testing.assert_allclose(sb.numpy(), closed_form(T, sigma_max),
                               atol=1e-6, rtol=0)
    assert sb[0] == 0


def test_reference_table_in_255_units():
    sb = irsde_sigma_bars() * 255
    for t, value in TABLE.items():
        assert abs(sb[t].item() - value) < 0.05, (t, sb[t].item())
    assert (sb[38:] > 9.95).all() and (sb[38:] <= 10).all()
    assert abs(sb[50].item() - 10) < 1e-3


@pytest.mark.parametrize('schedule', ['linear', 'cosine'])
def test_monotone_and_bounded(schedule):
    sb = irsde_sigma_bars(50, 10 / 255, schedule)
    assert sb[0] == 0
    assert (torch.diff(sb) > 0).all()
    assert sb[-1] <= 10 / 255 and sb[-1] > 0.999 * 10 / 255


def test_cosine_differs_and_bad_args():
    lin, cos = irsde_sigma_bars(), irsde_sigma_bars(schedule='cosine')
    assert (lin - cos).abs().max() > 1e-3
    with pytest.raises(ValueError, match='schedule'):
        irsde_sigma_bars(schedule='quadratic')
    with pytest.raises(ValueError, match='T must be'):
        irsde_sigma_bars(T=0)


def test_registered_and_t_mat_table(registered):
    from mmdiffir.registry import DIFFUSION_SCHEDULERS
    sched = DIFFUSION_SCHEDULERS.build(
        dict(type='EEDTPNoiseSchedule', T=50, schedule='linear'))
    assert isinstance(sched, EEDTPNoiseSchedule)
    assert torch.equal(sched.sigma_bars, irsde_sigma_bars())
    # METHODS.md §1.3 (noisy 4, rainy 8, jpeg 12, snowy 15, inpainting 19,
    # raindrop 22, shadowed 27, low-light 38, hazy 47, blurry 50) under the
    # configs' task names
    assert T_MAT == dict(noise=4, rain=8, jpeg=12, snow=15, inpainting=19,
                         raindrop=22, shadow=27, lowlight=38, haze=47,
                         blur=50)


def test_sample_t_range_and_determinism():
    sched = EEDTPNoiseSchedule()
    t = sched.sample_t(20000, generator=torch.Generator().manual_seed(0))
    assert t.dtype == torch.int64 and t.shape == (20000, )
    assert t.min() == 1 and t.max() == 50  # both ends reached, never 0
    again = sched.sample_t(20000, generator=torch.Generator().manual_seed(0))
    assert torch.equal(t, again)


def test_add_noise_and_sigma():
    sched = EEDTPNoiseSchedule()
    x0 = torch.rand(3, 3, 8, 8)
    noise = torch.randn(3, 3, 8, 8)
    t = torch.tensor([0, 4, 50])
    xt = sched.add_noise(x0, t, noise)
    assert xt.dtype == x0.dtype
    sig = sched.sigma(t)
    assert sig.dtype == torch.float64
    for i in range(3):
        torch.testing.assert_close(xt[i], x0[i] + float(sig[i]) * noise[i])
    assert torch.equal(xt[0], x0[0])  # t = 0 is the clean image
    with pytest.raises(ValueError, match='0..50'):
        sched.sigma(torch.tensor([51]))
    with pytest.raises(ValueError, match='shape'):
        sched.add_noise(x0, torch.tensor([1, 2]), noise)


def test_step_for_sigma_recovers_t():
    sched = EEDTPNoiseSchedule()
    sb = sched.sigma_bars
    # every level is distinct (the last steps differ by ~1e-7 only)
    assert [sched.step_for_sigma(float(sb[t])) for t in range(1, 51)] == \
        list(range(1, 51))
    assert sched.step_for_sigma(1.0) == 50  # stronger than sigma_max
    assert sched.step_for_sigma(0.0) == 1  # weaker than sigmabar_1
    steps = sched.step_for_sigma(sb[[4, 12]] * 1.001)
    assert steps.tolist() == [4, 12]
    assert sched.step_for_sigma(2.9 / 255) == 4
    assert sched.step_for_sigma(7.0 / 255) == 12
