"""CPEN: the compact IR prior extraction network of DiffIR (METHODS.md §2).

Shapes: images (B, C, H, W) in [0, 1] -> IPR (B, 4 * n_feats) = (B, 256).
"""
from typing import Optional

import torch
from mmengine.model import BaseModule
from torch import nn

from mmdiffir.registry import MODELS


class ResBlock(nn.Module):
    """conv3x3 - LeakyReLU(0.1) - conv3x3 plus identity (no scaling): the
    reference ``common.ResBlock`` with its default activation, used by every
    released DiffIR CPEN (deblur, SR, inpainting; S1 and S2).

    Why not mmagic's ``ResidualBlockNoBN``: it initialises its convs with a
    0.1-scaled Kaiming init (tuned for deep SR trunks) and reads its channel
    count as ``mid_channels``; CPEN's five blocks are plain PyTorch-init
    blocks, and the parameter count has to match the reference exactly
    (both have two biased 3x3 convs, so the count is the same either way)."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1),
            nn.LeakyReLU(0.1, inplace=True),
            nn.Conv2d(channels, channels, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


@MODELS.register_module()
class CPEN(BaseModule):
    """PixelUnshuffle -> conv3x3(->64) + LeakyReLU(0.1) -> n ResBlocks ->
    convs 64->128->128->256 (LeakyReLU) -> global average pool -> MLP
    256->256->256 (LeakyReLU after both layers).

    S1 (``gt_channels > 0``) sees concat(unshuffle(LQ), unshuffle(GT)); S2
    (``gt_channels = 0``) sees the LQ only. The unshuffle factors are
    per input because in SR the LQ is already 1/4 of the GT: there
    ``lq_unshuffle=1, gt_unshuffle=4`` puts both on the LR grid (3 + 48 = 51
    input channels in S1, 3 in S2); for deblurring both are 4 (96 / 48).

    Args:
        lq_channels (int): channels of the LQ input (4 for masked image +
            mask in inpainting).
        gt_channels (int): channels of the GT input; 0 for CPEN_S2.
        lq_unshuffle (int): PixelUnshuffle factor of the LQ.
        gt_unshuffle (int): PixelUnshuffle factor of the GT.
        n_feats (int): 64 in all published models; the IPR has 4 * n_feats.
        n_encoder_res (int): number of ResBlocks.
    """

    def __init__(self, lq_channels: int = 3, gt_channels: int = 0,
                 lq_unshuffle: int = 4, gt_unshuffle: int = 4,
                 n_feats: int = 64, n_encoder_res: int = 6,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        for name, v in (('lq_channels', lq_channels),
                        ('lq_unshuffle', lq_unshuffle),
                        ('gt_unshuffle', gt_unshuffle),
                        ('n_feats', n_feats)):
            if int(v) != v or v < 1:
                raise ValueError(f'CPEN: {name} must be a positive integer, '
                                 f'got {v!r}')
        if gt_channels < 0 or n_encoder_res < 0:
            raise ValueError('CPEN: gt_channels and n_encoder_res must be >= '
                             f'0, got {gt_channels}, {n_encoder_res}')
        self.lq_channels, self.gt_channels = lq_channels, gt_channels
        self.lq_unshuffle, self.gt_unshuffle = lq_unshuffle, gt_unshuffle
        self.ipr_dim = 4 * n_feats
        in_channels = lq_channels * lq_unshuffle**2 + \
            gt_channels * gt_unshuffle**2
        act = nn.LeakyReLU(0.1, inplace=True)
        self.encoder = nn.Sequential(
            nn.Conv2d(in_channels, n_feats, 3, padding=1), act,
            *[ResBlock(n_feats) for _ in range(n_encoder_res)],
            nn.Conv2d(n_feats, n_feats * 2, 3, padding=1), act,
            nn.Conv2d(n_feats * 2, n_feats * 2, 3, padding=1), act,
            nn.Conv2d(n_feats * 2, n_feats * 4, 3, padding=1), act,
            nn.AdaptiveAvgPool2d(1))
        self.mlp = nn.Sequential(
            nn.Linear(n_feats * 4, n_feats * 4), act,
            nn.Linear(n_feats * 4, n_feats * 4), act)

    def forward(self, lq: torch.Tensor,
                gt: Optional[torch.Tensor] = None) -> torch.Tensor:
        """lq (B, lq_channels, h, w), gt (B, gt_channels, H, W) with
        h / lq_unshuffle == H / gt_unshuffle -> IPR (B, 4 * n_feats)."""
        if lq.shape[1] != self.lq_channels:
            raise ValueError(f'CPEN expects {self.lq_channels} LQ channels, '
                             f'got {lq.shape[1]}')
        x = nn.functional.pixel_unshuffle(lq, self.lq_unshuffle)
        if self.gt_channels:
            if gt is None:
                raise ValueError('CPEN with gt_channels > 0 (CPEN_S1) needs '
                                 'the GT image')
            g = nn.functional.pixel_unshuffle(gt, self.gt_unshuffle)
            if g.shape[1] != self.gt_channels * self.gt_unshuffle**2 or \
                    g.shape[-2:] != x.shape[-2:]:
                raise ValueError(
                    f'CPEN: GT {tuple(gt.shape)} does not match LQ '
                    f'{tuple(lq.shape)} (unshuffle {self.gt_unshuffle} vs '
                    f'{self.lq_unshuffle}, {self.gt_channels} GT channels)')
            x = torch.cat([x, g], dim=1)
        return self.mlp(self.encoder(x).flatten(1))
