"""DiffIR's 4-step IPR diffusion against the closed forms (METHODS.md §2,
DDPM eq. 7) and mmagic's scaled_linear betas."""
import math

import numpy as np
import pytest
import torch

from mmdiffir.models.diffusion import (DiffIRPriorSchedule,
                                       deterministic_chain,
                                       posterior_coefficients,
                                       sqrt_linear_betas)


def test_betas_linear_in_sqrt():
    b = sqrt_linear_betas(4, 0.1, 0.99)
    assert b.dtype == torch.float64 and b.shape == (4, )
    lo, hi = math.sqrt(0.1), math.sqrt(0.99)
    expected = [(lo + (hi - lo) * t / 3)**2 for t in range(4)]
    np.testing.assert_allclose(b.numpy(), expected, rtol=0, atol=1e-12)
    assert b[0] == pytest.approx(0.1) and b[-1] == pytest.approx(0.99)
    # same curve as mmagic's DDPM 'scaled_linear' (float32 there)
    from mmagic.models.diffusion_schedulers import EditDDPMScheduler
    ref = EditDDPMScheduler(4, 0.1, 0.99, beta_schedule='scaled_linear')
    np.testing.assert_allclose(b.numpy(), ref.betas, rtol=1e-6)


def test_posterior_coefficients_closed_form():
    betas = [0.1, 0.3, 0.6, 0.99]
    tab = posterior_coefficients(torch.tensor(betas, dtype=torch.float64))
    abar, prev = 1.0, 1.0
    for t, beta in enumerate(betas):
        prev, abar = abar, abar * (1 - beta)
        assert tab['alphas_cumprod'][t] == pytest.approx(abar, abs=1e-12)
        assert tab['coef_x0'][t] == pytest.approx(
            beta * math.sqrt(prev) / (1 - abar), abs=1e-12)
        assert tab['coef_xt'][t] == pytest.approx(
            math.sqrt(1 - beta) * (1 - prev) / (1 - abar), abs=1e-12)
        assert tab['posterior_variance'][t] == pytest.approx(
            beta * (1 - prev) / (1 - abar), abs=1e-12)
    # the last reverse step returns the x0 prediction itself
    assert tab['coef_x0'][0] == pytest.approx(1, abs=1e-12)
    assert tab['coef_xt'][0] == 0
    # posterior mean of an exact x0 at the exact q-mean is the q-mean one
    # step earlier: coef_x0 + coef_xt * sqrt(abar_t) = sqrt(abar_{t-1})
    lhs = tab['coef_x0'] + tab['coef_xt'] * tab['sqrt_alphas_cumprod']
    np.testing.assert_allclose(lhs.numpy(),
                               tab['alphas_cumprod_prev'].sqrt().numpy(),
                               atol=1e-12)


def test_q_sample_and_validation():
    s = DiffIRPriorSchedule()
    z0, noise = torch.randn(3, 256), torch.randn(3, 256)
    abar = float(s.tables['alphas_cumprod'][3])
    torch.testing.assert_close(
        s.q_sample(z0, 3, noise),
        math.sqrt(abar) * z0 + math.sqrt(1 - abar) * noise)
    with pytest.raises(ValueError, match='0..3'):
        s.q_sample(z0, 4)
    with pytest.raises(ValueError, match='beta_start'):
        sqrt_linear_betas(4, 0.0, 0.99)


def test_chain_is_deterministic_differentiable_and_runs_T_to_0():
    s = DiffIRPriorSchedule()
    w = torch.ones(256, requires_grad=True)
    seen = []

    def predict(z, t):
        seen.append(int(t[0]))
        return z * w * 0.5 + 1.0

    z_start = torch.randn(2, 256)
    outs = s.reverse(predict, z_start, return_all=True)
    assert seen == [3, 2, 1, 0] and len(outs) == 4
    # hand-rolled chain with the closed-form coefficients
    z = z_start.clone()
    tab = s.tables
    for t in (3, 2, 1, 0):
        z = float(tab['coef_x0'][t]) * (z * 0.5 + 1.0) + \
            float(tab['coef_xt'][t]) * z
    torch.testing.assert_close(outs[-1].detach(), z.float())
    # no noise: the same start gives the same result
    torch.testing.assert_close(s.reverse(predict, z_start), outs[-1])
    # the loss on the final estimate reaches every step's graph
    grads = torch.autograd.grad(outs[-1].sum(), w)[0]
    assert grads.abs().sum() > 0
    # a constant predictor: the chain ends exactly at the prediction
    c = torch.full((2, 256), 0.25)
    out = deterministic_chain(lambda z, t: c, torch.randn(2, 256),
                              tab['coef_x0'], tab['coef_xt'])
    torch.testing.assert_close(out, c)
