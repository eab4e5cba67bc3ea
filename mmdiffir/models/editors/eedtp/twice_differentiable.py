"""Forwards whose graphs are differentiated twice (the exact L_orthog
gradient), made correct and cheap for that.

* **Correct:** mmagic's NAFNet ``LayerNorm2d`` is a custom autograd
  function whose backward is written out by hand. Its output and gradient
  are right, but a backward *through* that backward misses the terms of
  the normalisation's dependence on its input, so Hessian-vector products
  through NAFNet come out wrong (for one LayerNorm2d the input part was
  149 vs 208 in norm; ``tests/test_models/test_twice_differentiable.py``).
  The reference's NAFNet has the same layer, so its double backward has the
  same error; the paper means the gradient of ``1 - cos(g_gen, g_res)``.
  Inside :func:`twice_differentiable` such a layer computes the same
  values through a function whose backward autograd differentiates
  exactly (:class:`_LayerNorm2d`).
* **Cheap:** grouped convolutions get the double backward of
  :mod:`.grouped_conv`.

The modules' own ``forward`` comes back on exit (the replacements are set
on the instances only inside the context).
"""
import contextlib
import functools
from typing import Iterator

import torch
from mmagic.models.editors.nafnet.naf_layerNorm2d import LayerNorm2d
from torch import nn

from .grouped_conv import fast_grouped_double_backward


def _normalise(x: torch.Tensor, eps: float):
    """(y, 1 / sigma): ``x`` normalised over channels per pixel, by the
    operations of mmagic's ``LayerNormFunction.forward`` in its order."""
    mu = x.mean(1, keepdim=True)
    var = (x - mu).pow(2).mean(1, keepdim=True)
    std = (var + eps).sqrt()
    return (x - mu) / std, 1 / std


class _LayerNorm2d(torch.autograd.Function):
    """``LayerNorm2d``'s output with a backward written in differentiable
    torch ops on the saved *input*, so that autograd differentiates it
    again exactly (mmagic's saves the normalised output and the variance,
    which a second differentiation then takes as constants).

    Why not plain torch ops for the forward: their graph keeps every
    intermediate (centred input, variance, std, output) of every layer
    until the double backward; this keeps the input alone and recomputes
    the statistics in the backward (a few elementwise passes)."""

    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        ctx.eps = eps
        ctx.save_for_backward(x, weight)
        y, _ = _normalise(x, eps)
        return weight.view(1, -1, 1, 1) * y + bias.view(1, -1, 1, 1)

    @staticmethod
    def backward(ctx, grad_out):
        x, weight = ctx.saved_tensors
        y, rstd = _normalise(x, ctx.eps)
        g_y = grad_out * weight.view(1, -1, 1, 1)
        g_x = rstd * (g_y - g_y.mean(1, keepdim=True) -
                      y * (g_y * y).mean(1, keepdim=True))
        g_w = (grad_out * y).sum((0, 2, 3))
        g_b = grad_out.sum((0, 2, 3))
        return g_x, g_w, g_b, None


def layer_norm_2d(norm: LayerNorm2d, x: torch.Tensor) -> torch.Tensor:
    """``LayerNorm2d``'s output (normalised over channels, per pixel, then
    the affine weight and bias), the same values as mmagic's, with exact
    derivatives of every order (:class:`_LayerNorm2d`)."""
    return _LayerNorm2d.apply(x, norm.weight, norm.bias, norm.eps)


@contextlib.contextmanager
def twice_differentiable(module: nn.Module,
                         fast_grouped: bool = True) -> Iterator[None]:
    """Inside: every ``LayerNorm2d`` of ``module`` computes through
    :func:`layer_norm_2d` and, with ``fast_grouped`` (the default; False
    keeps torch's generic one, for comparison), every plain grouped conv
    through :func:`.grouped_conv.fast_grouped_double_backward`."""
    norms = [m for m in module.modules() if isinstance(m, LayerNorm2d)]
    for m in norms:
        m.forward = functools.partial(layer_norm_2d, m)
    try:
        with (fast_grouped_double_backward(module) if fast_grouped else
              contextlib.nullcontext()):
            yield
    finally:
        for m in norms:
            del m.forward
