"""Test-time helpers: flip/transpose ensemble and tiled (split-merge)
inference for images too large for one pass, composed once by
:func:`tile_flip_forward`, which every restorer's ``forward_tensor`` (and so
both ``tools/test.py`` and the inferencer) runs."""
import contextlib
import contextvars
from typing import Callable, Iterator, Optional

import torch
import torch.nn.functional as F

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
                  overlap: int = 32,
                  scale: Optional[int] = None) -> torch.Tensor:
    """Run ``forward`` on overlapping tiles of x and keep, from each tile,
    only its part farther than ``overlap // 2`` from the tile's inner edges.

    Equal to the untiled output where the network's receptive field is
    smaller than ``overlap // 2`` and it has no global operation (pooling
    over the whole image, attention over all tokens); otherwise an
    approximation. ``scale`` is the output/input size ratio (SR); default:
    read from the first tile's output.
    """
    b, c, h, w = x.shape
    if tile >= h and tile >= w:
        return forward(x)
    if overlap >= tile:
        raise ValueError(f'overlap ({overlap}) must be smaller than the tile '
                         f'({tile})')
    half = overlap // 2
    out = None

    for top in tile_starts(h, tile, overlap):
        for left in tile_starts(w, tile, overlap):
            patch = x[..., top:top + tile, left:left + tile]
            y = forward(patch)
            ph, pw = patch.shape[-2:]
            if out is None:
                scale = scale or y.shape[-2] // ph
                out = y.new_zeros(b, y.shape[1], h * scale, w * scale)
            # keep the inner part, except where the tile touches the border
            t0 = 0 if top == 0 else half
            l0 = 0 if left == 0 else half
            t1 = ph if top + ph >= h else ph - half
            l1 = pw if left + pw >= w else pw - half
            out[..., (top + t0) * scale:(top + t1) * scale,
                (left + l0) * scale:(left + l1) * scale] = \
                y[..., t0 * scale:t1 * scale, l0 * scale:l1 * scale]
    return out


# Called as (done, total) after each network pass of tile_flip_forward; set
# by :func:`report_passes` (the inferencer's per-tile progress bar).
_on_pass: contextvars.ContextVar = contextvars.ContextVar('on_pass',
                                                          default=None)


@contextlib.contextmanager
def report_passes(callback: Callable[[int, int], None]) -> Iterator[None]:
    """Within the block, :func:`tile_flip_forward` calls ``callback(done,
    total)`` after each network pass (tiles x flips), e.g. to show
    progress on a large tiled image."""
    token = _on_pass.set(callback)
    try:
        yield
    finally:
        _on_pass.reset(token)


def tile_starts(size: int, tile: int, overlap: int) -> list:
    """Where :func:`tiled_forward` starts its tiles along a side of
    ``size`` pixels."""
    last = max(size - tile, 0)
    return sorted(set(list(range(0, last, tile - overlap)) + [last]))


def padded_forward(forward: Forward, multiple: int,
                   value: float = 0.) -> Forward:
    """``forward`` on x padded at the bottom / right to a multiple of
    ``multiple`` (as mmagic's DataPreprocessor pads the whole image), its
    output cropped back (times the SR scale). For tiles whose side is not a
    multiple of the network's divisor."""
    if multiple <= 1:
        return forward

    def run(x):
        h, w = x.shape[-2:]
        ph, pw = (-h) % multiple, (-w) % multiple
        if not (ph or pw):
            return forward(x)
        y = forward(F.pad(x, (0, pw, 0, ph), value=value))
        scale = y.shape[-2] // (h + ph)
        return y[..., :h * scale, :w * scale]
    return run


def tile_flip_forward(forward: Forward, x: torch.Tensor,
                      test_cfg: Optional[dict] = None,
                      pad_size_divisor: int = 1,
                      pad_value: float = 0.) -> torch.Tensor:
    """The test-time path of every restorer: ``forward`` (one network pass,
    x normalised as the data preprocessor leaves it, (B, C, H, W)) run on
    overlapping tiles (``test_cfg['tile']``, ``tile_overlap``, default 32),
    inside the flip/transpose ensemble (``flip_ensemble``: 1, 2, 4, 8).
    Each tile is padded to ``pad_size_divisor`` (the preprocessor's, which
    padded the whole image already) so that any tile side works.

    Raises:
        ValueError: a flip ensemble size other than 1/2/4/8, or an overlap
            not smaller than the tile.
    """
    cfg = test_cfg or {}
    tile = cfg.get('tile')
    overlap = 32 if cfg.get('tile_overlap') is None else cfg['tile_overlap']
    n = cfg.get('flip_ensemble') or 1
    if n not in (1, 2, 4, 8):
        raise ValueError(f'flip ensemble size must be 1, 2, 4 or 8, got {n}')
    if tile and overlap >= tile:
        raise ValueError(f'tile_overlap ({overlap}) must be smaller than the '
                         f'tile ({tile})')
    base = padded_forward(forward, int(pad_size_divisor or 1), pad_value)
    callback = _on_pass.get()
    if callback is not None:
        h, w = x.shape[-2:]
        total = n * (len(tile_starts(h, tile, overlap)) *
                     len(tile_starts(w, tile, overlap)) if tile else 1)
        done = [0]
        inner = base

        def base(z):  # noqa: F811
            y = inner(z)
            done[0] += 1
            callback(done[0], total)
            return y
    if tile:
        per_flip = base

        def base(z):  # noqa: F811
            return tiled_forward(per_flip, z, tile, overlap)
    return flip_ensemble(base, x, n) if n > 1 else base(x)


class TileFlipMixin:
    """For restorers (mmagic ``BaseEditModel`` subclasses): their
    ``forward_tensor`` runs its single pass through :meth:`tile_flip`, so
    that ``test_cfg``'s ``tile`` / ``tile_overlap`` / ``flip_ensemble`` take
    effect in val/test (``tools/test.py``) and in the inferencer alike."""
    # tools/test.py --flip-ensemble and the inferencer's --tile / --flip
    # rely on the model reading these test_cfg keys
    reads_test_cfg_flip_ensemble = True

    def tile_flip(self, forward: Forward, inputs: torch.Tensor
                  ) -> torch.Tensor:
        """:func:`tile_flip_forward` with this model's ``test_cfg`` and its
        data preprocessor's padding (divisor, value)."""
        pre = self.data_preprocessor
        return tile_flip_forward(forward, inputs, self.test_cfg,
                                 getattr(pre, 'pad_size_divisor', 1),
                                 getattr(pre, 'pad_value', 0))
