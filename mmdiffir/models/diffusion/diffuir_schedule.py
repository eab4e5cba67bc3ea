"""DiffUIR's residual diffusion with the shared distribution term (SDT),
METHODS.md §3.

Images are in [-1, 1]. With ``I_in`` the degraded image, ``I_0`` the clean
one and ``I_res = I_in - I_0``, the forward process is

    I_t = I_0 + abar_t I_res - dbar_t I_in + bbar_t eps,   t = 0..T-1

    beta_t = linspace(1e-4, 0.02, T),  acp_t = prod_{s<=t} (1 - beta_s)
    abar_t = 1 - sqrt(acp_t),  bbar_t = sqrt(1 - acp_t)
    delta_t = linspace(1e-6, 1.8e-3, T),  dbar_t = clip(cumsum(delta)_t, 0, 1)

(``t`` is 0-based, as array indices: ``t = T - 1 = 999`` is the last step.)
At the last step ``abar ~ 1``, ``dbar_T = 0.9005``: every task's ``I_T`` is
close to ``(1 - dbar_T) I_in + eps``, the shared "hourglass" distribution.

The sampler is the reference's deterministic DDIM-like chain (eta = 0):
start at ``I_T = (1 - dbar_T) I_in + s eps`` (``s`` the start-noise scale:
0.1 released, 1.0 matches training), then for consecutive visited steps
``t -> t'``

    I_t' = I_t - (abar_t - abar_t') Ihat_res + (dbar_t - dbar_t') I_in

and after the last visited step the restored image is
``clip(I_in - Ihat_res, -1, 1)``. The visited steps are the reference's
``int(linspace(-1, T - 1, n + 1))`` without the -1, computed exactly as
``k T // n - 1`` (3 steps: 999, 665, 332).

The schedule is data: :func:`residual_schedule` returns the tables;
:class:`DiffUIRSchedule` holds them for configs and runs ``q_sample`` and the
sampler, which are plain functions of tensors and a denoiser callable.
"""
from typing import Callable, Dict, List, Optional, Union

import numpy as np
import torch

from mmdiffir.registry import DIFFUSION_SCHEDULERS

Denoiser = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


def residual_schedule(T: int = 1000,
                      beta_start: float = 1e-4,
                      beta_end: float = 0.02,
                      delta_start: float = 1e-6,
                      delta_end: float = 1.8e-3) -> Dict[str, torch.Tensor]:
    """The coefficient tables, float64 tensors of shape (T,):
    ``abar`` (residual), ``bbar`` (noise std), ``dbar`` (SDT)."""
    if T < 2:
        raise ValueError(f'T must be >= 2, got {T}')
    if not 0 < beta_start <= beta_end < 1:
        raise ValueError('need 0 < beta_start <= beta_end < 1, got '
                         f'{beta_start}, {beta_end}')
    if not 0 <= delta_start <= delta_end:
        raise ValueError('need 0 <= delta_start <= delta_end, got '
                         f'{delta_start}, {delta_end}')
    betas = np.linspace(beta_start, beta_end, T, dtype=np.float64)
    acp = np.cumprod(1.0 - betas)
    deltas = np.linspace(delta_start, delta_end, T, dtype=np.float64)
    return dict(
        abar=torch.from_numpy(1.0 - np.sqrt(acp)),
        bbar=torch.from_numpy(np.sqrt(1.0 - acp)),
        dbar=torch.from_numpy(np.clip(np.cumsum(deltas), 0.0, 1.0)))


def sampling_timesteps(T: int, steps: int) -> List[int]:
    """The steps the sampler visits, descending: ``k T // steps - 1`` for
    ``k = steps..1`` (equal to the reference's truncated float linspace for
    every ``steps`` <= T, without its float rounding). 3 of 1000:
    [999, 665, 332]."""
    if int(steps) != steps or not 1 <= steps <= T:
        raise ValueError(f'sampling steps must be an integer in 1..{T}, '
                         f'got {steps!r}')
    return [(k * T) // steps - 1 for k in range(int(steps), 0, -1)]


def _per_sample(table: torch.Tensor, t: torch.Tensor,
                like: torch.Tensor) -> torch.Tensor:
    """table[t] shaped (B, 1, 1, ...) in ``like``'s dtype and device."""
    vals = table.to(like.device)[t.to(like.device)].to(like.dtype)
    return vals.view(-1, *([1] * (like.dim() - 1)))


@DIFFUSION_SCHEDULERS.register_module()
class DiffUIRSchedule:
    """Config-buildable holder of the SDT residual process and its sampler.

    ``dict(type='DiffUIRSchedule', T=1000, delta_end=1.8e-3,
    sampling_steps=3, start_noise=0.1)``

    Why not mmagic's ``EditDDIMScheduler`` or the diffusers schedulers mmagic
    registers (``DDIMScheduler``, ...): they implement the variance-preserving
    ``x_t = sqrt(acp) x0 + sqrt(1 - acp) eps`` with one predicted quantity
    (noise / x0 / v). DiffUIR's state mixes three images (``I_0``,
    ``I_res`` and the condition ``I_in`` through the SDT term), its
    coefficients are ``1 - sqrt(acp)`` and ``sqrt(1 - acp)`` rather than
    ``sqrt(acp)`` and ``sqrt(1 - acp)``, and its step adds
    ``(dbar_t - dbar_t') I_in``; none of them has a slot for the condition
    image in ``add_noise`` / ``step``. Their step spacings also differ
    (diffusers' "trailing" gives [999, 666, 332], not [999, 665, 332]).
    Only the betas are shared, and those are one ``linspace``.

    Args:
        T (int): number of diffusion steps (1000).
        beta_start, beta_end (float): the linear betas (1e-4, 0.02).
        delta_start, delta_end (float): the linear SDT increments
            (1e-6, 1.8e-3: the universal setting of the reference).
        sampling_steps (int): steps of the test-time sampler (3).
        start_noise (float): std of the noise added to
            ``(1 - dbar_T) I_in`` to start sampling; the reference releases
            0.1 (``sqrt(sum_scale = 0.01)``), 1.0 is the training marginal.
        time_input (str): what the network is conditioned on: ``'abar'``
            (``abar_t * T``, a float, as the reference does for its residual
            objective) or ``'t'`` (the integer step).
        clip_residual (bool): clamp the predicted residual to [-1, 1] at
            every step, as the reference does. Off by default: residuals of
            dark low-light inputs without histogram equalisation exceed 1
            (``I_in = -1``, ``I_0 = 1`` gives -2) and the clamp would cap the
            restored brightness. The final image is always clipped.
    """

    def __init__(self,
                 T: int = 1000,
                 beta_start: float = 1e-4,
                 beta_end: float = 0.02,
                 delta_start: float = 1e-6,
                 delta_end: float = 1.8e-3,
                 sampling_steps: int = 3,
                 start_noise: float = 0.1,
                 time_input: str = 'abar',
                 clip_residual: bool = False):
        self.T = int(T)
        tables = residual_schedule(self.T, beta_start, beta_end, delta_start,
                                   delta_end)
        self.abar, self.bbar, self.dbar = (tables['abar'], tables['bbar'],
                                           tables['dbar'])
        self.sampling_steps = int(sampling_steps)
        sampling_timesteps(self.T, self.sampling_steps)  # validates
        if start_noise < 0:
            raise ValueError(f'start_noise must be >= 0, got {start_noise}')
        self.start_noise = float(start_noise)
        if time_input not in ('abar', 't'):
            raise ValueError(
                f"time_input must be 'abar' or 't', got {time_input!r}")
        self.time_input = time_input
        self.clip_residual = bool(clip_residual)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(T={self.T}, dbar_T='
                f'{float(self.dbar[-1]):.4f}, sampling_steps='
                f'{self.sampling_steps}, start_noise={self.start_noise}, '
                f'time_input={self.time_input!r})')

    # ------------------------------------------------------------ training
    def _check_t(self, t: torch.Tensor) -> torch.Tensor:
        t = torch.as_tensor(t)
        if t.dtype.is_floating_point:
            raise TypeError(f'time steps must be integers, got {t.dtype}')
        if t.numel() and (t.min() < 0 or t.max() >= self.T):
            raise ValueError(f'time steps must lie in 0..{self.T - 1}, got '
                             f'{t.min().item()}..{t.max().item()}')
        return t

    def sample_t(self,
                 batch: int,
                 generator: Optional[torch.Generator] = None,
                 device: Union[str, torch.device, None] = None
                 ) -> torch.Tensor:
        """t ~ U{0..T-1}, LongTensor (batch,) (the reference trains on every
        step including 0)."""
        if generator is not None and device is None:
            device = generator.device
        return torch.randint(0, self.T, (batch, ), generator=generator,
                             device=device)

    def q_sample(self, gt: torch.Tensor, lq: torch.Tensor, t: torch.Tensor,
                 noise: torch.Tensor) -> torch.Tensor:
        """I_t = I_0 + abar_t I_res - dbar_t I_in + bbar_t eps.

        Args:
            gt (Tensor): I_0, (B, C, H, W) in [-1, 1].
            lq (Tensor): I_in, like ``gt``.
            t (LongTensor): (B,) steps in 0..T-1.
            noise (Tensor): eps, like ``gt``.
        """
        if not gt.shape == lq.shape == noise.shape:
            raise ValueError(
                f'gt {tuple(gt.shape)}, lq {tuple(lq.shape)} and noise '
                f'{tuple(noise.shape)} must have the same shape')
        t = self._check_t(t)
        if t.dim() != 1 or t.shape[0] != gt.shape[0]:
            raise ValueError(f't must have shape ({gt.shape[0]},), got '
                             f'{tuple(t.shape)}')
        res = lq - gt
        return (gt + _per_sample(self.abar, t, gt) * res -
                _per_sample(self.dbar, t, gt) * lq +
                _per_sample(self.bbar, t, gt) * noise)

    def time_value(self, t: torch.Tensor) -> torch.Tensor:
        """What the network's time embedding receives for steps ``t``:
        float32 (B,)."""
        t = self._check_t(t)
        if self.time_input == 't':
            return t.float()
        return (self.abar.to(t.device)[t] * self.T).float()

    # ------------------------------------------------------------ sampling
    def timesteps(self, steps: Optional[int] = None) -> List[int]:
        return sampling_timesteps(self.T, steps or self.sampling_steps)

    def start(self, lq: torch.Tensor, start_noise: Optional[float] = None,
              generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """I_T = (1 - dbar_T) I_in + start_noise * eps."""
        scale = self.start_noise if start_noise is None else start_noise
        x = (1.0 - float(self.dbar[-1])) * lq
        if scale > 0:
            eps = torch.randn(lq.shape, generator=generator,
                              device=lq.device if generator is None else
                              generator.device, dtype=lq.dtype)
            x = x + scale * eps.to(lq.device)
        return x

    def step(self, x_t: torch.Tensor, lq: torch.Tensor,
             pred_res: torch.Tensor, t: int, t_next: int) -> torch.Tensor:
        """One deterministic step t -> t_next (t_next < t):
        I_t' = I_t - (abar_t - abar_t') Ihat_res + (dbar_t - dbar_t') I_in."""
        if not 0 <= t_next < t < self.T:
            raise ValueError(f'need 0 <= t_next < t < {self.T}, got '
                             f't={t}, t_next={t_next}')
        da = float(self.abar[t] - self.abar[t_next])
        dd = float(self.dbar[t] - self.dbar[t_next])
        return x_t - da * pred_res + dd * lq

    @torch.no_grad()
    def sample(self,
               denoiser: Denoiser,
               lq: torch.Tensor,
               steps: Optional[int] = None,
               start_noise: Optional[float] = None,
               generator: Optional[torch.Generator] = None,
               trajectory: Optional[list] = None) -> torch.Tensor:
        """Restore ``lq`` (B, C, H, W) in [-1, 1].

        ``denoiser(x_t, lq, time_value) -> Ihat_res`` (the network on
        concat(I_t, I_in)). ``trajectory``, when a list, receives
        ``(t, I_t)`` for every visited step. Returns
        ``clip(I_in - Ihat_res, -1, 1)`` of the last visited step.
        """
        times = self.timesteps(steps)
        x = self.start(lq, start_noise, generator)
        pred_res = None
        for i, t in enumerate(times):
            if trajectory is not None:
                trajectory.append((t, x))
            t_batch = torch.full((lq.shape[0], ), t, dtype=torch.long,
                                 device=lq.device)
            pred_res = denoiser(x, lq, self.time_value(t_batch))
            if self.clip_residual:
                pred_res = pred_res.clamp(-1, 1)
            if i + 1 < len(times):
                x = self.step(x, lq, pred_res, t, times[i + 1])
        return (lq - pred_res).clamp(-1, 1)
