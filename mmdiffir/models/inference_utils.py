"""Test-time helpers for single-pass restorers: flip/transpose ensemble and
tiled (split-merge) inference for images too large for one pass."""
from typing import Callable

import torch

Forward = Callable[[torch.Tensor], torch.Tensor]


def _transforms(n: int):
    """The first n of the 8 dihedral transforms as (apply, invert) pairs."""
    ops = []
    for transpose in (False, True):
        for flip_h in (False, True):
            for flip_w in (False, True):
                dims = [d for d, f in ((-2, flip_h), (-1, flip_w)) if f]

                def apply(x, dims=dims, t=transpose):
                    x = x.transpose(-2, -1) if t else x
                    return x.flip(dims) if dims else x

                def invert(y, dims=dims, t=transpose):
                    y = y.flip(dims) if dims else y
                    return y.transpose(-2, -1) if t else y

                ops.append((apply, invert))
    return ops[:n]


def flip_ensemble(forward: Forward, x: torch.Tensor,
                  n: int = 8) -> torch.Tensor:
    """Mean of ``forward`` over n in {2, 4, 8} flips/transposes of x (the
    x8 self-ensemble of SR/IR papers; n=4 uses flips only). x: (B,C,H,W)."""
    if n not in (1, 2, 4, 8):
        raise ValueError(f'flip ensemble size must be 1, 2, 4 or 8, got {n}')
    out = None
    for apply, invert in _transforms(n):
        y = invert(forward(apply(x)))
        out = y if out is None else out + y
    return out / n


def tiled_forward(forward: Forward, x: torch.Tensor, tile: int,
                  overlap: int = 32, scale: int = 1) -> torch.Tensor:
    """Run ``forward`` on overlapping tiles of x and keep, from each tile,
    only its part farther than ``overlap // 2`` from the tile's inner edges.

    Equal to the untiled output where the network's receptive field is
    smaller than ``overlap // 2`` and it has no global operation (pooling
    over the whole image, attention over all tokens); otherwise an
    approximation. ``scale`` is the output/input size ratio (SR).
    """
    b, c, h, w = x.shape
    if tile >= h and tile >= w:
        return forward(x)
    if overlap >= tile:
        raise ValueError(f'overlap ({overlap}) must be smaller than the tile '
                         f'({tile})')
    stride = tile - overlap
    half = overlap // 2
    out = None

    def starts(size):
        last = max(size - tile, 0)
        s = list(range(0, last, stride)) + [last]
        return sorted(set(s))

    for top in starts(h):
        for left in starts(w):
            patch = x[..., top:top + tile, left:left + tile]
            y = forward(patch)
            if out is None:
                out = y.new_zeros(b, y.shape[1], h * scale, w * scale)
            ph, pw = patch.shape[-2:]
            # keep the inner part, except where the tile touches the border
            t0 = 0 if top == 0 else half
            l0 = 0 if left == 0 else half
            t1 = ph if top + ph >= h else ph - half
            l1 = pw if left + pw >= w else pw - half
            out[..., (top + t0) * scale:(top + t1) * scale,
                (left + l0) * scale:(left + l1) * scale] = \
                y[..., t0 * scale:t1 * scale, l0 * scale:l1 * scale]
    return out
