"""Folding a constant per-channel affine map ``h -> a * h + b`` (the time
modulation at a fixed t_mat) into the weights of the network, exactly:

* into the layer that produced ``h`` when it is a Conv2d (per output
  channel) or Linear: ``a * (W x + c) + b == (a W) x + (a c + b)``;
* into a normalisation layer's affine parameters (NAFNet's ``LayerNorm2d``,
  ``nn.LayerNorm``, Restormer's ``LayerNorm`` wrapper, whose parameters sit
  in ``.body``): ``a * (w * xhat + c) + b == (a w) * xhat + (a c + b)``;
* a norm without a bias (Restormer's ``BiasFree`` LayerNorm) takes the scale
  and the shift goes into the 1x1 conv / linear that reads the norm's output
  (its ``consumer``): ``W (h + b) + c == W h + (W b + c)``.

Each fold returns what it changed so that :func:`restore` puts back the
original tensors bit for bit. Used by TimeConditioner at inference.
"""
from typing import List, Optional, Tuple

import torch
from torch import nn

FOLDABLE = (nn.Conv2d, nn.Linear)
# (module, attribute, original tensor, or None: the attribute did not exist)
Saved = List[Tuple[nn.Module, str, Optional[torch.Tensor]]]


def _save(module: nn.Module, name: str) -> tuple:
    p = getattr(module, name, None)
    return (module, name, None if p is None else p.detach().clone())


def _add_bias(layer: nn.Module, value: torch.Tensor) -> None:
    """``layer.bias += value``, creating the bias when there is none."""
    if layer.bias is None:
        layer.bias = nn.Parameter(value.to(layer.weight).clone(),
                                  requires_grad=False)
    else:
        layer.bias.add_(value.to(layer.bias))


def norm_affine_owner(module: nn.Module) -> Optional[nn.Module]:
    """The module holding a norm's per-channel affine ``weight`` (1-D), i.e.
    the norm itself or its ``body`` (Restormer's LayerNorm wrapper); None
    when there is none (e.g. ``elementwise_affine=False``)."""
    for owner in (module, getattr(module, 'body', None)):
        w = getattr(owner, 'weight', None) if owner is not None else None
        if isinstance(w, torch.Tensor) and w.dim() == 1:
            return owner
    return None


def is_pointwise(layer: nn.Module) -> bool:
    """A Linear, or a Conv2d with a 1x1 kernel, stride 1, no padding and one
    group: the layers through which a constant shift folds exactly."""
    if isinstance(layer, nn.Linear):
        return True
    return isinstance(layer, nn.Conv2d) and layer.kernel_size == (1, 1) \
        and layer.groups == 1 and layer.padding in ((0, 0), 'valid')


@torch.no_grad()
def fold_affine(layer: nn.Module, scale: torch.Tensor,
                shift: torch.Tensor) -> Saved:
    """Rewrite a Conv2d / Linear so that it outputs ``scale * out + shift``.
    ``scale`` and ``shift`` hold one value per output channel (any shape)."""
    scale, shift = scale.reshape(-1), shift.reshape(-1)
    saved = [_save(layer, 'weight'), _save(layer, 'bias')]
    view = [-1] + [1] * (layer.weight.dim() - 1)
    layer.weight.mul_(scale.view(view).to(layer.weight))
    if layer.bias is not None:
        layer.bias.mul_(scale.to(layer.bias))
    _add_bias(layer, shift)
    return saved


@torch.no_grad()
def fold_norm(norm: nn.Module, scale: torch.Tensor, shift: torch.Tensor,
              consumer: Optional[nn.Module] = None) -> Saved:
    """Rewrite a normalisation layer (and, for a bias-free norm, the
    pointwise ``consumer`` of its output) so that the network computes
    ``consumer(scale * norm(x) + shift)``. Raises ValueError when the fold
    would not be exact (no affine weight; bias-free norm without a pointwise
    consumer)."""
    owner = norm_affine_owner(norm)
    if owner is None:
        raise ValueError(f'{type(norm).__name__} has no per-channel affine '
                         'weight to fold the modulation into')
    scale, shift = scale.reshape(-1), shift.reshape(-1)
    has_bias = isinstance(getattr(owner, 'bias', None), torch.Tensor)
    if not has_bias and (consumer is None or not is_pointwise(consumer)):
        raise ValueError(
            f'{type(owner).__name__} has no bias: the shift can only be '
            'folded into a 1x1 conv / linear consumer of its output, got '
            f'{type(consumer).__name__}')
    saved = [_save(owner, 'weight')]
    owner.weight.mul_(scale.to(owner.weight))
    if has_bias:
        saved.append(_save(owner, 'bias'))
        owner.bias.mul_(scale.to(owner.bias)).add_(shift.to(owner.bias))
    else:
        saved += [_save(consumer, 'bias')]
        w = consumer.weight.reshape(consumer.weight.shape[0], -1)
        _add_bias(consumer, w @ shift.to(w))
    return saved


@torch.no_grad()
def restore(saved: Saved) -> None:
    """Put back the tensors a fold changed (in reverse order)."""
    for module, name, original in reversed(saved):
        if original is None:
            setattr(module, name, None)
        else:
            getattr(module, name).copy_(original)
