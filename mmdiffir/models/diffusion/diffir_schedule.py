"""DiffIR's diffusion on the 256-d IR prior representation (METHODS.md §2).

T = 4 steps, betas linear in sqrt(beta) from 0.1 to 0.99, x0-parameterised
denoiser, and a *deterministic* reverse chain: every step replaces z_t by the
posterior mean of q(z_{t-1} | z_t, z0_hat) and adds no noise. In training the
chain starts from ``q_sample(Z_S1, T-1)`` and all T steps keep their graph (one
loss on the final estimate); at inference it starts from Z_T ~ N(0, I).

Time indices are 0-based as in the reference: step ``t = 0..T-1``, ``abar_t =
prod_{i<=t} (1 - beta_i)``, ``abar_{-1} = 1``.

The schedule is data: :func:`sqrt_linear_betas` and
:func:`posterior_coefficients` return tensors and :func:`deterministic_chain`
runs the reverse process with any x0-predictor. :class:`DiffIRPriorSchedule`
is only a config-buildable holder of those tables.
"""
from typing import Callable, Dict, List, Optional

import torch

from mmdiffir.registry import DIFFUSION_SCHEDULERS


def sqrt_linear_betas(T: int = 4, beta_start: float = 0.1,
                      beta_end: float = 0.99) -> torch.Tensor:
    """beta_t = (sqrt(start) + t / (T-1) * (sqrt(end) - sqrt(start)))**2,
    t = 0..T-1: float64 tensor (T,). T = 1 gives [beta_start]."""
    if T < 1:
        raise ValueError(f'T must be >= 1, got {T}')
    if not 0 < beta_start <= beta_end < 1:
        raise ValueError('betas need 0 < beta_start <= beta_end < 1, got '
                         f'beta_start={beta_start}, beta_end={beta_end}')
    return torch.linspace(beta_start**0.5, beta_end**0.5, T,
                          dtype=torch.float64)**2


def posterior_coefficients(betas: torch.Tensor) -> Dict[str, torch.Tensor]:
    """Closed-form tables of a variance-preserving chain, float64 (T,):

    - ``alphas_cumprod`` abar_t, ``alphas_cumprod_prev`` abar_{t-1} (1 at 0)
    - ``sqrt_alphas_cumprod``, ``sqrt_one_minus_alphas_cumprod`` (q_sample)
    - ``coef_x0`` = beta_t sqrt(abar_{t-1}) / (1 - abar_t) and ``coef_xt`` =
      sqrt(1 - beta_t) (1 - abar_{t-1}) / (1 - abar_t): the posterior mean
      ``coef_x0 * z0 + coef_xt * z_t`` (DDPM eq. 7)
    - ``posterior_variance`` beta_t (1 - abar_{t-1}) / (1 - abar_t), only for
      reference: the DiffIR chain never samples it.
    At t = 0, coef_x0 = 1 and coef_xt = 0: the last step returns z0_hat.
    """
    betas = betas.to(torch.float64)
    alphas = 1.0 - betas
    abar = torch.cumprod(alphas, 0)
    abar_prev = torch.cat([abar.new_ones(1), abar[:-1]])
    return dict(
        betas=betas,
        alphas_cumprod=abar,
        alphas_cumprod_prev=abar_prev,
        sqrt_alphas_cumprod=abar.sqrt(),
        sqrt_one_minus_alphas_cumprod=(1.0 - abar).sqrt(),
        coef_x0=betas * abar_prev.sqrt() / (1.0 - abar),
        coef_xt=alphas.sqrt() * (1.0 - abar_prev) / (1.0 - abar),
        posterior_variance=betas * (1.0 - abar_prev) / (1.0 - abar),
    )


def deterministic_chain(predict_x0: Callable[[torch.Tensor, torch.Tensor],
                                             torch.Tensor],
                        z_start: torch.Tensor, coef_x0: torch.Tensor,
                        coef_xt: torch.Tensor,
                        return_all: bool = False):
    """Run z_{t-1} = coef_x0[t] * predict_x0(z_t, t) + coef_xt[t] * z_t for
    t = T-1 .. 0 starting at ``z_start`` (B, D); no noise is added, and the
    autograd graph of every step is kept (DiffIR trains through all of them).

    Returns the final estimate (B, D), or with ``return_all`` the list of the
    T intermediate results (the last one is the final estimate).
    """
    z = z_start
    out: List[torch.Tensor] = []
    batch = z_start.shape[0]
    for t in reversed(range(coef_x0.shape[0])):
        t_vec = torch.full((batch, ), t, dtype=torch.long,
                           device=z_start.device)
        z0_hat = predict_x0(z, t_vec)
        z = coef_x0[t].to(z.dtype) * z0_hat + coef_xt[t].to(z.dtype) * z
        out.append(z)
    return out if return_all else z


@DIFFUSION_SCHEDULERS.register_module()
class DiffIRPriorSchedule:
    """Config-buildable holder of DiffIR's 4-step IPR diffusion.

    ``dict(type='DiffIRPriorSchedule', T=4, beta_start=0.1, beta_end=0.99)``.

    Why not mmagic's ``EditDDPMScheduler``: its ``scaled_linear`` betas are the
    same curve, but its ``step`` always adds the posterior noise for t > 0
    (DiffIR's chain is the deterministic posterior mean), it takes one Python
    int time step for the whole batch and keeps its tables as numpy (float32
    for this schedule), and it has no q_sample at a given step. DiffIR needs
    only the two posterior-mean coefficients and q_sample, differentiable on
    the model's device; the tests check these tables against mmagic's betas
    and the DDPM closed forms.
    """

    def __init__(self, T: int = 4, beta_start: float = 0.1,
                 beta_end: float = 0.99):
        self.T = int(T)
        self.beta_start = float(beta_start)
        self.beta_end = float(beta_end)
        self.tables = posterior_coefficients(
            sqrt_linear_betas(self.T, self.beta_start, self.beta_end))

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(T={self.T}, beta_start='
                f'{self.beta_start}, beta_end={self.beta_end})')

    def _table(self, name: str, like: torch.Tensor) -> torch.Tensor:
        return self.tables[name].to(device=like.device, dtype=like.dtype)

    def q_sample(self, z0: torch.Tensor, t: int,
                 noise: Optional[torch.Tensor] = None) -> torch.Tensor:
        """z_t = sqrt(abar_t) z0 + sqrt(1 - abar_t) noise (noise ~ N(0, I)
        when not given), for one step ``t`` in 0..T-1."""
        if not 0 <= t < self.T:
            raise ValueError(f't must lie in 0..{self.T - 1}, got {t}')
        if noise is None:
            noise = torch.randn_like(z0)
        return (self._table('sqrt_alphas_cumprod', z0)[t] * z0 +
                self._table('sqrt_one_minus_alphas_cumprod', z0)[t] * noise)

    def reverse(self, predict_x0, z_start: torch.Tensor,
                return_all: bool = False):
        """The deterministic T-step chain from ``z_start`` (see
        :func:`deterministic_chain`)."""
        return deterministic_chain(predict_x0, z_start,
                                   self._table('coef_x0', z_start),
                                   self._table('coef_xt', z_start),
                                   return_all=return_all)
