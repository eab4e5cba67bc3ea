"""EEDTP's noise levels (METHODS.md §1.2-1.3): an additive IR-SDE-style
schedule ``x_t = x0 + sigmabar_t * eps`` with ``t = 0..T``.

The schedule is data: :func:`irsde_sigma_bars` returns the whole table of
``sigmabar_t`` and everything else indexes it. :class:`EEDTPNoiseSchedule`
is only a thin, config-buildable holder of that table.

Images are in [0, 1]; ``sigmabar_t`` is in the same units (``sigma_max`` is
10/255 by default, i.e. sigmabar_t * 255 is on the familiar 0-255 noise scale).
"""
import math
from typing import Optional, Union

import numpy as np
import torch

from mmdiffir.registry import DIFFUSION_SCHEDULERS

# exp(-2 * thetabar_T * dt) = 0.005**2: the IR-SDE normalisation that makes
# sigmabar_T reach sigma_max up to a factor sqrt(1 - 2.5e-5).
_END_RATIO = 0.005


def linear_thetas(T: int) -> np.ndarray:
    """theta_i = linspace(1e-4 * s, 0.02 * s, T + 1), s = 1000 / (T + 1).

    ``s`` rescales the DDPM beta range so that any T spans the same total
    drift (it cancels out of sigmabar after the dt normalisation)."""
    s = 1000.0 / (T + 1)
    return np.linspace(1e-4 * s, 0.02 * s, T + 1, dtype=np.float64)


def cosine_thetas(T: int, offset: float = 0.008) -> np.ndarray:
    """IR-SDE's cosine theta schedule (the Nichol & Dhariwal alpha-bar curve).

    With ``f(u) = cos((u + offset) / (1 + offset) * pi / 2) ** 2`` and
    ``abar(u) = f(u) / f(0)``, ``theta_i = 1 - abar((i + 1) / (T + 2))`` for
    ``i = 0..T``: theta rises smoothly from ~0 to ~1 and never hits the
    singular endpoint ``u = 1``.
    """
    u = np.arange(1, T + 2, dtype=np.float64) / (T + 2)

    def f(x):
        return np.cos((x + offset) / (1 + offset) * math.pi / 2)**2

    return 1.0 - f(u) / f(0.0)


def irsde_sigma_bars(T: int = 50,
                     sigma_max: float = 10 / 255,
                     schedule: str = 'linear') -> torch.Tensor:
    """sigmabar_t for t = 0..T: float64 tensor (T + 1,) in [0, sigma_max].

    thetabar_t = cumsum(theta)_t - theta_0, dt = -ln(0.005) / thetabar_T,
    sigmabar_t = sigma_max * sqrt(1 - exp(-2 * thetabar_t * dt)).
    sigmabar_0 = 0 exactly and the sequence increases strictly.
    """
    if T < 1:
        raise ValueError(f'T must be >= 1, got {T}')
    if sigma_max <= 0:
        raise ValueError(f'sigma_max must be > 0, got {sigma_max}')
    if schedule == 'linear':
        thetas = linear_thetas(T)
    elif schedule == 'cosine':
        thetas = cosine_thetas(T)
    else:
        raise ValueError(
            f"schedule must be 'linear' or 'cosine', got {schedule!r}")
    theta_bar = np.cumsum(thetas) - thetas[0]
    dt = -math.log(_END_RATIO) / theta_bar[-1]
    sigma_bars = sigma_max * np.sqrt(1.0 - np.exp(-2.0 * theta_bar * dt))
    return torch.from_numpy(sigma_bars)


@DIFFUSION_SCHEDULERS.register_module()
class EEDTPNoiseSchedule:
    """Config-buildable holder of EEDTP's additive noise levels.

    ``dict(type='EEDTPNoiseSchedule', T=50, sigma_max=10/255,
    schedule='linear')``.

    Why not mmagic's ``EditDDPMScheduler`` / ``EditDDIMScheduler``: those are
    variance-preserving beta schedules (``x_t = sqrt(abar) x0 +
    sqrt(1 - abar) eps``, T ~ 1000) with a sampler attached. EEDTP never
    samples; it only needs the variance-*exploding* additive level
    ``x_t = x0 + sigmabar_t eps`` with sigmabar_t <= 10/255 for T = 50, and the
    inverse map from a residual strength to t (t_mat derivation). Neither fits
    their state or API, so this is a separate registered scheduler.

    Attributes:
        sigma_bars (Tensor): float64, shape (T + 1,), sigmabar_t for t = 0..T.
    """

    def __init__(self,
                 T: int = 50,
                 sigma_max: float = 10 / 255,
                 schedule: str = 'linear'):
        self.T = int(T)
        self.sigma_max = float(sigma_max)
        self.schedule = schedule
        self.sigma_bars = irsde_sigma_bars(self.T, self.sigma_max, schedule)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(T={self.T}, sigma_max='
                f'{self.sigma_max:.6g}, schedule={self.schedule!r})')

    def sigma(self, t: torch.Tensor) -> torch.Tensor:
        """sigmabar_t for a LongTensor of steps (any shape, values 0..T);
        float64, on ``t``'s device."""
        t = torch.as_tensor(t)
        if t.dtype.is_floating_point:
            raise TypeError(f'time steps must be integers, got {t.dtype}')
        if t.numel() and (t.min() < 0 or t.max() > self.T):
            raise ValueError(f'time steps must lie in 0..{self.T}, got '
                             f'{t.min().item()}..{t.max().item()}')
        return self.sigma_bars.to(t.device)[t]

    def sample_t(self,
                 batch: int,
                 generator: Optional[torch.Generator] = None,
                 device: Union[str, torch.device, None] = None
                 ) -> torch.Tensor:
        """t ~ U{1..T}, LongTensor of shape (batch,) (t = 0 is the clean
        image and never a training target)."""
        if generator is not None and device is None:
            device = generator.device
        return torch.randint(1, self.T + 1, (batch, ), generator=generator,
                             device=device)

    def add_noise(self, x0: torch.Tensor, t: torch.Tensor,
                  noise: torch.Tensor) -> torch.Tensor:
        """x_t = x0 + sigmabar_t * noise.

        Args:
            x0 (Tensor): clean images (B, C, H, W) (any rank >= 1), [0, 1].
            t (LongTensor): (B,) steps in 0..T, one per sample.
            noise (Tensor): like ``x0``, usually standard normal.

        Returns:
            Tensor like ``x0`` (not clipped: the noisy range is the target
            distribution).
        """
        if noise.shape != x0.shape:
            raise ValueError(f'noise shape {tuple(noise.shape)} != x0 shape '
                             f'{tuple(x0.shape)}')
        t = torch.as_tensor(t, device=x0.device)
        if t.dim() != 1 or t.shape[0] not in (1, x0.shape[0]):
            raise ValueError(f't must have shape (B,) with B = {x0.shape[0]} '
                             f'(or 1), got {tuple(t.shape)}')
        sig = self.sigma(t).to(x0.dtype)
        sig = sig.view(-1, *([1] * (x0.dim() - 1)))
        return x0 + sig * noise

    def step_for_sigma(self, sigma: Union[float, torch.Tensor]
                       ) -> Union[int, torch.Tensor]:
        """The step in 1..T whose sigmabar is nearest to ``sigma`` (same
        units as sigma_max, i.e. [0, 1] images). Stronger than sigma_max maps
        to T, weaker than sigmabar_1 to 1. A float gives an int, a tensor a
        LongTensor of its shape."""
        sig = torch.as_tensor(sigma, dtype=torch.float64)
        levels = self.sigma_bars[1:].to(sig.device)
        dist = (sig.unsqueeze(-1) - levels).abs()
        # argmin takes the first minimum: a tie goes to the milder step.
        steps = dist.argmin(dim=-1) + 1
        return int(steps) if not isinstance(sigma, torch.Tensor) else steps
