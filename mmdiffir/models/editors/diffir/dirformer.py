"""DIRformer: the Restormer U-Net of DiffIR with every attention (MDTA) and
feed-forward (GDFN) modulated by the 256-d IR prior representation (IPR):
``[g, b] = Linear(256 -> 2C)(Z)``, ``F' = g * LN(F) + b`` (METHODS.md §2).

mmagic's Restormer pieces are reused where the IPR does not enter: the
LayerNorm, the patch embedding, Down/Upsample, and the MDTA / GDFN layers
themselves (subclassed below, so their weights and maths are mmagic's).
mmagic's ``TransformerBlock`` and ``Restormer`` are *not* reused: their
``forward(x)`` has no way to pass the IPR to every block, and Restormer has no
SR tail.

Shapes: image (B, C_in, H, W) in [0, 1] with H, W multiples of 8 (the
callers pad), IPR (B, 256) -> (B, C_out, s*H, s*W).
"""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmagic.models.editors.restormer.restormer_net import (Attention,
                                                           Downsample,
                                                           FeedForward,
                                                           LayerNorm,
                                                           OverlapPatchEmbed,
                                                           Upsample)
from mmengine.model import BaseModule
from torch import nn

from mmdiffir.registry import MODELS


def _modulate(x: torch.Tensor, z: torch.Tensor,
              linear: nn.Linear) -> torch.Tensor:
    """g * x + b with [g, b] = linear(z) split along channels."""
    g, b = linear(z).view(z.shape[0], -1, 1, 1).chunk(2, dim=1)
    return x * g + b


class ModulatedAttention(Attention):
    """mmagic's MDTA applied to ``g * x + b`` (x is already layer-normed)."""

    def __init__(self, dim: int, num_heads: int, bias: bool, ipr_dim: int):
        super().__init__(dim, num_heads, bias)
        # no bias: the reference's modulation is a plain projection
        self.modulation = nn.Linear(ipr_dim, dim * 2, bias=False)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return super().forward(_modulate(x, z, self.modulation))


class ModulatedFeedForward(FeedForward):
    """mmagic's GDFN applied to ``g * x + b``."""

    def __init__(self, dim: int, ffn_expansion_factor: float, bias: bool,
                 ipr_dim: int):
        super().__init__(dim, ffn_expansion_factor, bias)
        self.modulation = nn.Linear(ipr_dim, dim * 2, bias=False)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return super().forward(_modulate(x, z, self.modulation))


class DIRTransformerBlock(nn.Module):
    """x + MDTA(g1 LN(x) + b1), then x + GDFN(g2 LN(x) + b2)."""

    def __init__(self, dim: int, num_heads: int, ffn_expansion_factor: float,
                 bias: bool, layer_norm_type: str, ipr_dim: int):
        super().__init__()
        self.norm1 = LayerNorm(dim, layer_norm_type)
        self.attn = ModulatedAttention(dim, num_heads, bias, ipr_dim)
        self.norm2 = LayerNorm(dim, layer_norm_type)
        self.ffn = ModulatedFeedForward(dim, ffn_expansion_factor, bias,
                                        ipr_dim)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x), z)
        return x + self.ffn(self.norm2(x), z)


class DIRStage(nn.ModuleList):
    """A run of blocks that all see the same IPR."""

    def __init__(self, n: int, **block_kwargs):
        super().__init__(DIRTransformerBlock(**block_kwargs)
                         for _ in range(n))

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        for block in self:
            x = block(x, z)
        return x


class SRTail(nn.Sequential):
    """log2(scale) x [conv3x3 (C -> 4C) + PixelShuffle(2)] (or one
    conv (C -> 9C) + PixelShuffle(3) for x3), then conv3x3 (C -> out): the
    EDSR upsampler of the reference SR model."""

    def __init__(self, scale: int, channels: int, out_channels: int):
        layers = []
        if scale & (scale - 1) == 0:
            for _ in range(scale.bit_length() - 1):
                layers += [nn.Conv2d(channels, 4 * channels, 3, padding=1),
                           nn.PixelShuffle(2)]
        elif scale == 3:
            layers += [nn.Conv2d(channels, 9 * channels, 3, padding=1),
                       nn.PixelShuffle(3)]
        else:
            raise ValueError(f'DIRformer: scale must be 1, 2, 3, 4 or 8, got '
                             f'{scale}')
        layers.append(nn.Conv2d(channels, out_channels, 3, padding=1))
        super().__init__(*layers)


@MODELS.register_module()
class DIRformer(BaseModule):
    """The IPR-modulated Restormer U-Net (levels C, 2C, 4C, 8C; decoder
    level 1 and refinement at 2C as in Restormer).

    Args:
        inp_channels / out_channels (int): image channels in / out.
        dim (int): C.
        num_blocks (list[int]): blocks per level (4 levels).
        num_refinement_blocks (int): blocks after the decoder.
        heads (list[int]): attention heads per level.
        ffn_expansion_factor (float): GDFN hidden expansion.
        bias (bool): biases in the convs of attention / FFN.
        LayerNorm_type (str): 'WithBias' or 'BiasFree' (mmagic's names).
        ipr_dim (int): size of the IPR (256).
        scale (int): 1 = restoration with a global residual (the output conv
            plus the input's first ``out_channels`` channels); > 1 = SR with
            the upsampler tail plus the nearest-upsampled input.
    """

    def __init__(self,
                 inp_channels: int = 3,
                 out_channels: int = 3,
                 dim: int = 48,
                 num_blocks: Sequence[int] = (4, 6, 6, 8),
                 num_refinement_blocks: int = 4,
                 heads: Sequence[int] = (1, 2, 4, 8),
                 ffn_expansion_factor: float = 2.66,
                 bias: bool = False,
                 LayerNorm_type: str = 'WithBias',
                 ipr_dim: int = 256,
                 scale: int = 1,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if len(num_blocks) != 4 or len(heads) != 4:
            raise ValueError('DIRformer: num_blocks and heads need 4 entries '
                             f'(one per level), got {list(num_blocks)} and '
                             f'{list(heads)}')
        if LayerNorm_type not in ('WithBias', 'BiasFree'):
            raise ValueError("DIRformer: LayerNorm_type must be 'WithBias' or "
                             f"'BiasFree', got {LayerNorm_type!r}")
        if inp_channels < out_channels:
            raise ValueError('DIRformer: the global residual adds the first '
                             'out_channels input channels, so inp_channels '
                             f'({inp_channels}) must be >= out_channels '
                             f'({out_channels})')
        self.scale = int(scale)
        self.out_channels = out_channels

        def stage(n, level, width):
            return DIRStage(n, dim=width, num_heads=heads[level],
                            ffn_expansion_factor=ffn_expansion_factor,
                            bias=bias, layer_norm_type=LayerNorm_type,
                            ipr_dim=ipr_dim)

        c1, c2, c3, c4 = dim, dim * 2, dim * 4, dim * 8
        self.patch_embed = OverlapPatchEmbed(inp_channels, dim)
        self.encoder_level1 = stage(num_blocks[0], 0, c1)
        self.down1_2 = Downsample(c1)
        self.encoder_level2 = stage(num_blocks[1], 1, c2)
        self.down2_3 = Downsample(c2)
        self.encoder_level3 = stage(num_blocks[2], 2, c3)
        self.down3_4 = Downsample(c3)
        self.latent = stage(num_blocks[3], 3, c4)
        self.up4_3 = Upsample(c4)
        self.reduce_chan_level3 = nn.Conv2d(c4, c3, 1, bias=bias)
        self.decoder_level3 = stage(num_blocks[2], 2, c3)
        self.up3_2 = Upsample(c3)
        self.reduce_chan_level2 = nn.Conv2d(c3, c2, 1, bias=bias)
        self.decoder_level2 = stage(num_blocks[1], 1, c2)
        self.up2_1 = Upsample(c2)
        # level 1 of the decoder keeps the concatenated 2C (Restormer)
        self.decoder_level1 = stage(num_blocks[0], 0, c2)
        self.refinement = stage(num_refinement_blocks, 0, c2)
        if self.scale == 1:
            self.output = nn.Conv2d(c2, out_channels, 3, padding=1,
                                    bias=bias)
        else:
            self.output = SRTail(self.scale, c2, out_channels)

    def forward(self, img: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """img (B, inp_channels, H, W), H and W multiples of 8; z (B,
        ipr_dim) -> (B, out_channels, scale*H, scale*W)."""
        if img.shape[-1] % 8 or img.shape[-2] % 8:
            raise ValueError('DIRformer needs H and W divisible by 8 (three '
                             f'2x downsamplings), got {tuple(img.shape)}')
        e1 = self.encoder_level1(self.patch_embed(img), z)
        e2 = self.encoder_level2(self.down1_2(e1), z)
        e3 = self.encoder_level3(self.down2_3(e2), z)
        x = self.latent(self.down3_4(e3), z)
        x = self.reduce_chan_level3(torch.cat([self.up4_3(x), e3], 1))
        x = self.decoder_level3(x, z)
        x = self.reduce_chan_level2(torch.cat([self.up3_2(x), e2], 1))
        x = self.decoder_level2(x, z)
        x = self.decoder_level1(torch.cat([self.up2_1(x), e1], 1), z)
        x = self.output(self.refinement(x, z))
        skip = img[:, :self.out_channels]
        if self.scale > 1:
            skip = F.interpolate(skip, scale_factor=self.scale,
                                 mode='nearest')
        return x + skip
