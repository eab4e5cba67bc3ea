"""The two DiffIR networks, each one module so that a DDP wrapper sees one
forward per iteration:

- :class:`DiffIRS1Net`: CPEN_S1(LQ, GT) -> IPR Z, DIRformer(LQ, Z).
- :class:`DiffIRS2Net`: CPEN_S2(LQ) -> condition, the 4-step IPR diffusion
  (:class:`~mmdiffir.models.diffusion.DiffIRPriorSchedule` with the
  :class:`IPRDenoiser`) -> Zhat, DIRformer(LQ, Zhat).

Both pad the input to a multiple of 8 (reflect) and crop the output, so any
image size works at test time without the data preprocessor's padding (which
would be undone at the wrong scale for SR).
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmdiffir.registry import DIFFUSION_SCHEDULERS, MODELS

# three 2x downsamplings in DIRformer; CPEN's PixelUnshuffle(4) divides 8
PAD_MULTIPLE = 8


def pad_to_multiple(x: torch.Tensor, multiple: int = PAD_MULTIPLE
                    ) -> Tuple[torch.Tensor, int, int]:
    """Reflect-pad the bottom / right of (B, C, H, W) to multiples of
    ``multiple``; returns the padded tensor and the pads (ph, pw)."""
    h, w = x.shape[-2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph or pw:
        # reflect needs pad < size; tiny images fall back to replicate
        mode = 'reflect' if ph < h and pw < w else 'replicate'
        x = F.pad(x, (0, pw, 0, ph), mode=mode)
    return x, ph, pw


def _crop(x: torch.Tensor, h: int, w: int) -> torch.Tensor:
    return x[..., :h, :w]


@MODELS.register_module()
class DiffIRS1Net(BaseModule):
    """Stage 1: the IPR comes from LQ *and* GT (the teacher).

    Args:
        cpen (dict): a ``CPEN`` with ``gt_channels > 0``.
        dirformer (dict): a ``DIRformer``.
    """

    def __init__(self, cpen: dict, dirformer: dict,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.cpen = MODELS.build(cpen)
        self.dirformer = MODELS.build(dirformer)
        if not self.cpen.gt_channels:
            raise ValueError('DiffIRS1Net: cpen.gt_channels must be > 0 (the '
                             'stage-1 CPEN sees the GT)')
        self.scale = self.dirformer.scale

    def ipr(self, lq: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
        """Z_S1 (B, 256) from LQ (B, C, h, w) and GT (B, C, s*h, s*w)."""
        # the same pads on both grids (GT is ``scale`` times larger)
        lq = pad_to_multiple(lq)[0]
        gt = pad_to_multiple(gt, PAD_MULTIPLE * self.scale)[0]
        return self.cpen(lq, gt)

    def forward(self, lq: torch.Tensor,
                gt: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """-> (restored (B, C, s*h, s*w), Z_S1 (B, 256))."""
        if gt is None:
            raise ValueError('DiffIRS1Net needs the GT image (stage 1 reads '
                             'its prior from LQ and GT, also at test time)')
        h, w = lq.shape[-2:]
        z = self.ipr(lq, gt)
        out = self.dirformer(pad_to_multiple(lq)[0], z)
        return _crop(out, h * self.scale, w * self.scale), z


@MODELS.register_module()
class DiffIRS2Net(BaseModule):
    """Stage 2: the IPR is estimated from the LQ alone by the IPR diffusion.

    Args:
        cpen (dict): a ``CPEN`` with ``gt_channels = 0`` (CPEN_S2).
        denoiser (dict): an ``IPRDenoiser``.
        dirformer (dict): a ``DIRformer``.
        schedule (dict): a ``DiffIRPriorSchedule``.
    """

    def __init__(self, cpen: dict, denoiser: dict, dirformer: dict,
                 schedule: dict = dict(type='DiffIRPriorSchedule'),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.cpen = MODELS.build(cpen)
        if self.cpen.gt_channels:
            raise ValueError('DiffIRS2Net: cpen.gt_channels must be 0 (CPEN_S2 '
                             f'sees the LQ only), got {self.cpen.gt_channels}')
        self.denoiser = MODELS.build(denoiser)
        self.dirformer = MODELS.build(dirformer)
        self.schedule = DIFFUSION_SCHEDULERS.build(schedule)
        self.scale = self.dirformer.scale
        if abs(self.denoiser.time_scale * 10 * self.schedule.T - 1) > 1e-9:
            raise ValueError('DiffIRS2Net: denoiser.T must equal schedule.T '
                             f'({self.schedule.T})')

    def estimate_ipr(self, lq: torch.Tensor,
                     z_target: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Zhat (B, 256) from the LQ. With ``z_target`` (training: Z_S1) the
        chain starts at q_sample(z_target, T-1); without it at N(0, I). All
        T steps keep their graph."""
        cond = self.cpen(pad_to_multiple(lq)[0])
        if z_target is not None:
            z_start = self.schedule.q_sample(z_target, self.schedule.T - 1)
        else:
            z_start = torch.randn(lq.shape[0], self.denoiser.ipr_dim,
                                  device=lq.device, dtype=lq.dtype)

        def predict_x0(z, t):
            return self.denoiser(z, t, cond)

        return self.schedule.reverse(predict_x0, z_start)

    def forward(self, lq: torch.Tensor,
                z_target: Optional[torch.Tensor] = None,
                restore: bool = True
                ) -> Tuple[Optional[torch.Tensor], torch.Tensor]:
        """-> (restored (B, C, s*h, s*w) or None when ``restore`` is False
        (encoder warm-up: the DIRformer is not run), Zhat (B, 256))."""
        z = self.estimate_ipr(lq, z_target)
        if not restore:
            return None, z
        h, w = lq.shape[-2:]
        out = self.dirformer(pad_to_multiple(lq)[0], z)
        return _crop(out, h * self.scale, w * self.scale), z
