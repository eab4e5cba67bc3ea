"""Folding a constant per-channel affine map into the layer that produced
its input: ``a * (W x + c) + b == (a W) x + (a c + b)`` exactly, for any
Conv2d (per output channel) or Linear. Used by TimeConditioner at inference,
when the time step is constant and the hooked modules are such layers."""
from typing import Optional, Tuple

import torch
from torch import nn

FOLDABLE = (nn.Conv2d, nn.Linear)
Saved = Tuple[torch.Tensor, Optional[torch.Tensor]]


@torch.no_grad()
def fold_affine(layer: nn.Module, scale: torch.Tensor,
                shift: torch.Tensor) -> Saved:
    """Rewrite ``layer`` so that it outputs ``scale * out + shift``; returns
    the original (weight, bias) for :func:`unfold_affine`. ``scale`` and
    ``shift`` hold one value per output channel (any shape, C elements)."""
    scale, shift = scale.reshape(-1), shift.reshape(-1)
    saved = (layer.weight.detach().clone(),
             None if layer.bias is None else layer.bias.detach().clone())
    view = [-1] + [1] * (layer.weight.dim() - 1)
    layer.weight.mul_(scale.view(view).to(layer.weight))
    if layer.bias is None:
        layer.bias = nn.Parameter(shift.to(layer.weight).clone(),
                                  requires_grad=False)
    else:
        layer.bias.mul_(scale.to(layer.bias)).add_(shift.to(layer.bias))
    return saved


@torch.no_grad()
def unfold_affine(layer: nn.Module, saved: Saved) -> None:
    """Put back the weights :func:`fold_affine` returned."""
    weight, bias = saved
    layer.weight.copy_(weight)
    if bias is None:
        layer.bias = None
    else:
        layer.bias.copy_(bias)
