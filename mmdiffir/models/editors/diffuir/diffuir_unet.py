"""DiffUIR's conditional UNet (METHODS.md §3): the DDPM-style UNet with
weight-standardised ResNet blocks, linear attention per level and full
attention in the middle, fed concat(I_t, I_in).

Why not mmagic's ``DenoisingUnet``: its blocks (BigGAN-style resblocks,
AdaGN, multi-head attention only at chosen resolutions, scale-shift norm
from an embedding of the raw t) differ from DiffUIR's (weight-standardised
convs, GroupNorm(8) + time scale/shift in the first conv block only,
linear attention at every level, 4x4 stride-2 downsampling), so neither
the published parameter counts nor the published checkpoints' structure
could be reproduced with it.

Layout (``dim`` = C, ``dim_mults`` = (m1..mL)): 7x7 conv 6 -> C; per level
l (channels C*m_l): ResBlock, ResBlock, LinearAttention, then a 4x4 stride-2
conv to C*m_{l+1} (the last level keeps the size with a 3x3 conv); middle:
ResBlock, Attention, ResBlock; the decoder mirrors it with skip concats and
nearest x2 upsampling + 3x3 conv; a last ResBlock on concat(features, init
conv output) and a 1x1 conv to 3 channels. Input sizes are reflect-padded to
a multiple of 2**L and the output cropped back.
"""
import math
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from mmdiffir.registry import MODELS


class WSConv2d(nn.Conv2d):
    """Conv2d with weight standardisation (Qiao et al. 2019): each output
    filter is normalised to zero mean / unit variance before use, which
    pairs well with GroupNorm at small batch sizes."""

    def forward(self, x):
        eps = 1e-5 if x.dtype == torch.float32 else 1e-3
        w = self.weight
        mean = w.mean(dim=(1, 2, 3), keepdim=True)
        var = w.var(dim=(1, 2, 3), unbiased=False, keepdim=True)
        w = (w - mean) * torch.rsqrt(var + eps)
        return F.conv2d(x, w, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)


class ChannelLayerNorm(nn.Module):
    """LayerNorm over channels of a (B, C, H, W) map, gain only (no bias)."""

    def __init__(self, dim: int):
        super().__init__()
        self.g = nn.Parameter(torch.ones(1, dim, 1, 1))

    def forward(self, x):
        eps = 1e-5 if x.dtype == torch.float32 else 1e-3
        var = x.var(dim=1, unbiased=False, keepdim=True)
        mean = x.mean(dim=1, keepdim=True)
        return (x - mean) * torch.rsqrt(var + eps) * self.g


class SinusoidalEmbedding(nn.Module):
    """(B,) float times -> (B, dim) [sin | cos] features."""

    def __init__(self, dim: int):
        super().__init__()
        if dim % 2 or dim < 4:
            raise ValueError(f'time embedding dim must be even and >= 4, got '
                             f'{dim}')
        self.dim = dim

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        half = self.dim // 2
        freqs = torch.exp(
            torch.arange(half, device=t.device, dtype=torch.float32) *
            (-math.log(10000) / (half - 1)))
        args = t.float()[:, None] * freqs[None]
        return torch.cat((args.sin(), args.cos()), dim=-1)


class ConvNormAct(nn.Module):
    """WS-conv 3x3 -> GroupNorm -> optional (1 + scale, shift) -> SiLU."""

    def __init__(self, in_ch: int, out_ch: int, groups: int = 8):
        super().__init__()
        self.proj = WSConv2d(in_ch, out_ch, 3, padding=1)
        self.norm = nn.GroupNorm(groups, out_ch)
        self.act = nn.SiLU()

    def forward(self, x, scale_shift=None):
        x = self.norm(self.proj(x))
        if scale_shift is not None:
            scale, shift = scale_shift
            x = x * (scale + 1) + shift
        return self.act(x)


class ResBlock(nn.Module):
    """Two ConvNormAct with the time embedding's scale/shift on the first,
    plus a 1x1 projection of the input when the width changes."""

    def __init__(self, in_ch: int, out_ch: int, time_dim: int,
                 groups: int = 8):
        super().__init__()
        self.time_proj = nn.Sequential(nn.SiLU(),
                                       nn.Linear(time_dim, out_ch * 2))
        self.block1 = ConvNormAct(in_ch, out_ch, groups)
        self.block2 = ConvNormAct(out_ch, out_ch, groups)
        self.skip = nn.Conv2d(in_ch, out_ch, 1) if in_ch != out_ch \
            else nn.Identity()

    def forward(self, x, temb):
        scale_shift = self.time_proj(temb)[:, :, None, None].chunk(2, dim=1)
        h = self.block2(self.block1(x, scale_shift))
        return h + self.skip(x)


def _split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    """(B, heads * d, H, W) -> (B, heads, d, H * W)."""
    b, c, h, w = x.shape
    return x.reshape(b, heads, c // heads, h * w)


class _PreNormAttention(nn.Module):
    """What both attentions share: a channel LayerNorm, the 1x1 q, k, v
    projection split into heads of (B, heads, dim_head, H * W), and the 1x1
    output projection (followed by a LayerNorm with ``out_norm``)."""

    def __init__(self, dim: int, heads: int, dim_head: int, out_norm: bool):
        super().__init__()
        self.heads, self.scale = heads, dim_head**-0.5
        hidden = heads * dim_head
        self.norm = ChannelLayerNorm(dim)
        self.to_qkv = nn.Conv2d(dim, hidden * 3, 1, bias=False)
        self.to_out = nn.Conv2d(hidden, dim, 1)
        if out_norm:
            self.to_out = nn.Sequential(self.to_out, ChannelLayerNorm(dim))

    def qkv(self, x):
        return (_split_heads(p, self.heads)
                for p in self.to_qkv(self.norm(x)).chunk(3, dim=1))


class LinearAttention(_PreNormAttention):
    """Pre-normed, residual linear attention (softmax of q over features and
    of k over positions; cost linear in H * W)."""

    def __init__(self, dim: int, heads: int = 4, dim_head: int = 32):
        super().__init__(dim, heads, dim_head, out_norm=True)

    def forward(self, x):
        b, _, h, w = x.shape
        q, k, v = self.qkv(x)
        q = q.softmax(dim=-2) * self.scale
        k = k.softmax(dim=-1)
        v = v / (h * w)
        context = torch.einsum('bhdn,bhen->bhde', k, v)
        out = torch.einsum('bhde,bhdn->bhen', context, q)
        return self.to_out(out.reshape(b, -1, h, w)) + x


class FullAttention(_PreNormAttention):
    """Pre-normed, residual softmax attention over all positions (used at
    the lowest resolution only: quadratic in H * W)."""

    def __init__(self, dim: int, heads: int = 4, dim_head: int = 32):
        super().__init__(dim, heads, dim_head, out_norm=False)

    def forward(self, x):
        b, _, h, w = x.shape
        q, k, v = (p.transpose(-2, -1) for p in self.qkv(x))
        # (B, heads, N, d); SDPA scales by 1/sqrt(d) = dim_head ** -0.5
        out = F.scaled_dot_product_attention(q, k, v)
        out = out.transpose(-2, -1).reshape(b, -1, h, w)
        return self.to_out(out) + x


class EncoderLevel(nn.Module):
    def __init__(self, ch: int, out_ch: int, time_dim: int, groups: int,
                 last: bool):
        super().__init__()
        self.block1 = ResBlock(ch, ch, time_dim, groups)
        self.block2 = ResBlock(ch, ch, time_dim, groups)
        self.attn = LinearAttention(ch)
        self.down = nn.Conv2d(ch, out_ch, 3, padding=1) if last else \
            nn.Conv2d(ch, out_ch, 4, stride=2, padding=1)

    def forward(self, x, temb, skips: list):
        x = self.block1(x, temb)
        skips.append(x)
        x = self.attn(self.block2(x, temb))
        skips.append(x)
        return self.down(x)


class DecoderLevel(nn.Module):
    def __init__(self, ch: int, skip_ch: int, out_ch: int, time_dim: int,
                 groups: int, last: bool):
        super().__init__()
        self.block1 = ResBlock(ch + skip_ch, ch, time_dim, groups)
        self.block2 = ResBlock(ch + skip_ch, ch, time_dim, groups)
        self.attn = LinearAttention(ch)
        self.up = nn.Conv2d(ch, out_ch, 3, padding=1) if last else \
            nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'),
                          nn.Conv2d(ch, out_ch, 3, padding=1))

    def forward(self, x, temb, skips: list):
        x = self.block1(torch.cat((x, skips.pop()), dim=1), temb)
        x = self.block2(torch.cat((x, skips.pop()), dim=1), temb)
        return self.up(self.attn(x))


@MODELS.register_module()
class DiffUIRUNet(nn.Module):
    """Args:
        dim (int): base width C (T/S 32, B/L 64).
        dim_mults (sequence[int]): width multipliers per level
            (T (1, 1, 1, 1), S/B (1, 2, 2, 4), L (1, 2, 4, 8)).
        channels (int): image channels (3); the input has 2x that
            (I_t and I_in concatenated).
        groups (int): GroupNorm groups (8); every width must divide by it.

    ``forward(x, time)``: x (B, 2 * channels, H, W) any H, W; time (B,)
    float (the schedule's ``time_value``). Returns (B, channels, H, W), the
    predicted residual.
    """

    def __init__(self,
                 dim: int = 64,
                 dim_mults: Sequence[int] = (1, 2, 4, 8),
                 channels: int = 3,
                 groups: int = 8):
        super().__init__()
        widths = [dim * m for m in dim_mults]
        bad = [w for w in [dim] + widths if w % groups]
        if not dim_mults or bad:
            raise ValueError(f'DiffUIRUNet: dim_mults must be non-empty and '
                             f'every width ({[dim] + widths}) divisible by '
                             f'groups={groups}; {bad} are not')
        self.channels = channels
        self.depth = len(dim_mults)
        time_dim = dim * 4
        self.time_mlp = nn.Sequential(
            SinusoidalEmbedding(dim), nn.Linear(dim, time_dim), nn.GELU(),
            nn.Linear(time_dim, time_dim))
        self.init_conv = nn.Conv2d(channels * 2, dim, 7, padding=3)

        dims = [dim] + widths
        pairs = list(zip(dims[:-1], dims[1:]))
        n = len(pairs)
        self.encoder = nn.ModuleList(
            EncoderLevel(cin, cout, time_dim, groups, last=i == n - 1)
            for i, (cin, cout) in enumerate(pairs))
        mid = dims[-1]
        self.mid_block1 = ResBlock(mid, mid, time_dim, groups)
        self.mid_attn = FullAttention(mid)
        self.mid_block2 = ResBlock(mid, mid, time_dim, groups)
        self.decoder = nn.ModuleList(
            DecoderLevel(cout, cin, cin, time_dim, groups, last=i == n - 1)
            for i, (cin, cout) in enumerate(reversed(pairs)))
        self.final_block = ResBlock(dim * 2, dim, time_dim, groups)
        self.final_conv = nn.Conv2d(dim, channels, 1)

    def _pad(self, x: torch.Tensor) -> torch.Tensor:
        s = 2**self.depth
        h, w = x.shape[-2:]
        ph, pw = (s - h % s) % s, (s - w % s) % s
        if not (ph or pw):
            return x
        # reflection needs the pad to be smaller than the side
        mode = 'reflect' if ph < h and pw < w else 'replicate'
        return F.pad(x, (0, pw, 0, ph), mode=mode)

    def forward(self, x: torch.Tensor, time: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1] != 2 * self.channels:
            raise ValueError(f'DiffUIRUNet expects (B, {2 * self.channels}, '
                             f'H, W) = concat(I_t, I_in), got '
                             f'{tuple(x.shape)}')
        h, w = x.shape[-2:]
        x = self.init_conv(self._pad(x))
        first = x
        temb = self.time_mlp(time)
        skips = []
        for level in self.encoder:
            x = level(x, temb, skips)
        x = self.mid_block2(self.mid_attn(self.mid_block1(x, temb)), temb)
        for level in self.decoder:
            x = level(x, temb, skips)
        x = self.final_block(torch.cat((x, first), dim=1), temb)
        return self.final_conv(x)[..., :h, :w].contiguous()
