"""DiffUIR's SDT residual schedule (METHODS.md §3) against its closed forms,
the forward process, and the deterministic sampler's visited steps and
update rule."""
import math

import pytest
import torch

from mmdiffir.models.diffusion import (DiffUIRSchedule, residual_schedule,
                                       sampling_timesteps)

# abar_t, bbar_t, dbar_t at 0-based t (float64; from the closed forms with
# beta = linspace(1e-4, 0.02, 1000), delta = linspace(1e-6, 1.8e-3, 1000))
TABLE = {
    332: (0.43362132279413235, 0.8241451292136183, 0.09987766666666667),
    665: (0.894486769370728, 0.9944178991561717, 0.3994443333333333),
    999: (0.99364718191243, 0.99997982064757, 0.9005),
}


def _closed_form(t, T=1000):
    """Independent scalar evaluation: explicit product and arithmetic sum."""
    acp = 1.0
    for s in range(t + 1):
        acp *= 1 - (1e-4 + (0.02 - 1e-4) * s / (T - 1))
    # sum_{s<=t} (d0 + (d1 - d0) s / (T - 1))
    dsum = (t + 1) * 1e-6 + (1.8e-3 - 1e-6) * t * (t + 1) / 2 / (T - 1)
    return 1 - math.sqrt(acp), math.sqrt(1 - acp), min(max(dsum, 0.0), 1.0)


@pytest.mark.parametrize('t', sorted(TABLE))
def test_schedule_values_match_closed_forms_and_table(t):
    tab = residual_schedule()
    got = (float(tab['abar'][t]), float(tab['bbar'][t]),
           float(tab['dbar'][t]))
    for g, c, ref in zip(got, _closed_form(t), TABLE[t]):
        assert g == pytest.approx(c, abs=1e-6)
        assert g == pytest.approx(ref, abs=1e-6)
    assert all(v.shape == (1000, ) and v.dtype == torch.float64
               for v in tab.values())


def test_sdt_is_clipped_at_one():
    # a delta_end this large makes cumsum(delta) pass 1 before T
    dbar = residual_schedule(delta_end=0.01)['dbar']
    assert float(dbar.max()) == 1.0 and float(dbar[200]) < 1.0
    assert bool((dbar[1:] >= dbar[:-1]).all())


@pytest.mark.parametrize('steps, expected', [
    (3, [999, 665, 332]), (1, [999]), (2, [999, 499]),
    (5, [999, 799, 599, 399, 199]),
    (10, [999, 899, 799, 699, 599, 499, 399, 299, 199, 99])])
def test_sampling_timesteps(steps, expected):
    assert sampling_timesteps(1000, steps) == expected
    # the reference's float formula for the same steps
    ref = torch.linspace(-1, 999, steps + 1).int().tolist()[::-1][:-1]
    assert ref == expected


def test_three_step_sampler_visits_999_665_332():
    sched = DiffUIRSchedule()
    lq = torch.rand(2, 3, 8, 8) * 2 - 1
    seen = []

    def denoiser(x_t, lq_, tv):
        seen.append(tv.clone())
        return torch.zeros_like(lq_)

    traj = []
    sched.sample(denoiser, lq, trajectory=traj)
    assert [t for t, _ in traj] == [999, 665, 332]
    # the network is conditioned on abar_t * T (the reference's time input)
    assert [float(v[0]) for v in seen] == pytest.approx(
        [float(sched.abar[t]) * 1000 for t in (999, 665, 332)], rel=1e-6)
    assert DiffUIRSchedule(time_input='t').time_value(
        torch.tensor([5, 999])).tolist() == [5.0, 999.0]


def test_q_sample_is_the_sdt_forward_process():
    sched = DiffUIRSchedule()
    g = torch.Generator().manual_seed(0)
    gt = torch.rand(3, 3, 6, 6, generator=g) * 2 - 1
    lq = torch.rand(3, 3, 6, 6, generator=g) * 2 - 1
    eps = torch.randn(3, 3, 6, 6, generator=g)
    t = torch.tensor([999, 332, 0])
    x = sched.q_sample(gt, lq, t, eps)
    for i, ti in enumerate(t.tolist()):
        a, b, d = _closed_form(ti)
        want = gt[i] + a * (lq[i] - gt[i]) - d * lq[i] + b * eps[i]
        assert torch.allclose(x[i], want, atol=1e-5)
    # at t = T the mean is I_0 + abar_T I_res - dbar_T I_in, i.e.
    # (1 - abar_T) I_0 + (abar_T - dbar_T) I_in ~ (1 - dbar_T) I_in
    mean = sched.q_sample(gt, lq, torch.full((3, ), 999),
                          torch.zeros_like(gt))
    a, _, d = TABLE[999]
    assert torch.allclose(mean, (1 - a) * gt + (a - d) * lq, atol=1e-6)
    assert torch.allclose(mean, (1 - d) * lq, atol=2 * (1 - a) + 1e-6)


def test_sampler_with_the_true_residual_tracks_the_forward_means():
    """With an oracle residual each deterministic step moves I_t exactly
    along the forward process's mean (the offset from the start stays
    constant), and the output is the clean image."""
    sched = DiffUIRSchedule(start_noise=0.1)
    g = torch.Generator().manual_seed(1)
    gt = torch.rand(2, 3, 8, 8, generator=g) * 1.6 - 0.8
    lq = torch.rand(2, 3, 8, 8, generator=g) * 1.6 - 0.8
    traj = []
    out = sched.sample(lambda x, y, tv: lq - gt, lq, steps=5,
                       generator=torch.Generator().manual_seed(2),
                       trajectory=traj)
    assert torch.allclose(out, gt, atol=1e-6)
    offsets = []
    for t, x in traj:
        mean = sched.q_sample(gt, lq, torch.full((2, ), t),
                              torch.zeros_like(gt))
        offsets.append(x - mean)
    for o in offsets[1:]:
        assert torch.allclose(o, offsets[0], atol=1e-5)
    # the start: (1 - dbar_T) I_in + 0.1 eps
    start = traj[0][1] - (1 - TABLE[999][2]) * lq
    assert 0.07 < float(start.std()) < 0.13


def test_start_noise_scale_and_errors():
    sched = DiffUIRSchedule(start_noise=0.0)
    lq = torch.ones(1, 3, 4, 4)
    assert torch.allclose(sched.start(lq), (1 - 0.9005) * lq, atol=1e-9)
    big = sched.start(lq, start_noise=1.0,
                      generator=torch.Generator().manual_seed(0))
    assert 0.7 < float((big - sched.start(lq)).std()) < 1.3
    with pytest.raises(ValueError, match='sampling steps'):
        DiffUIRSchedule(sampling_steps=0)
    with pytest.raises(ValueError, match='time_input'):
        DiffUIRSchedule(time_input='sigma')
    with pytest.raises(ValueError, match='0..999'):
        sched.q_sample(lq, lq, torch.tensor([1000]), lq)
    with pytest.raises(ValueError, match='same shape'):
        sched.q_sample(lq, lq[..., :2], torch.tensor([1]), lq)
