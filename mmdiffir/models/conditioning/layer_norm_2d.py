"""NAFNet's ``LayerNorm2d`` with a per-sample affine, computed in one pass.

The time conditioning modulates the output of each NAFNet norm layer,
``LN(x) * a + s`` with ``(a, s)`` per sample and channel. Since
``LN(x) = w * y + b`` (``y`` the normalised input), that is a layer norm
with per-sample weights ``w * a`` and bias ``b * a + s``: computed so, the
modulation costs no pass over the feature map in either direction (as a
separate multiply-add it cost one forward pass and two reductions in the
backward of every modulated layer: most of the conditioning's cost in the
profile of ``git show 7d7bba6:docs/benchmarks/eedtp_cost.md``).

Why not mmagic's ``LayerNormFunction``: it takes one weight for the whole
batch. Two functions, the same values:

* :class:`_FastLayerNorm2d` saves what mmagic's saves (the normalised
  output and the variance) for a cheap backward; a *second*
  differentiation of that backward treats them as constants, so it is
  wrong for Hessian-vector products, as mmagic's is;
* :class:`_ExactLayerNorm2d` saves the input alone and writes its backward
  in differentiable ops, so autograd differentiates it again exactly.

:func:`layer_norm_2d` uses the exact one inside :func:`exact_derivatives`
(which the EEDTP restorer enters around the forwards whose graphs it
differentiates twice) and the fast one elsewhere.
"""
import contextlib
from typing import Iterator

import torch

_exact_depth = 0  # > 0 inside exact_derivatives()


@contextlib.contextmanager
def exact_derivatives() -> Iterator[None]:
    """Inside: :func:`layer_norm_2d` builds graphs that can be
    differentiated twice exactly."""
    global _exact_depth
    _exact_depth += 1
    try:
        yield
    finally:
        _exact_depth -= 1


def exact_derivatives_on() -> bool:
    return _exact_depth > 0


def _normalise(x: torch.Tensor, eps: float):
    """(y, var): ``x`` normalised over channels per pixel, by the
    operations of mmagic's ``LayerNormFunction.forward`` in its order."""
    mu = x.mean(1, keepdim=True)
    var = (x - mu).pow(2).mean(1, keepdim=True)
    return (x - mu) / (var + eps).sqrt(), var


def _as_map(v: torch.Tensor) -> torch.Tensor:
    """(N, C) weights -> (N, C, 1, 1), to broadcast over a feature map."""
    return v.view(v.shape[0], v.shape[1], 1, 1)


def _affine(y, weight, bias):
    return _as_map(weight) * y + _as_map(bias)  # mmagic's order


def _grads(grad_out, y, var, weight, eps):
    """Gradients of ``weight * y + bias`` for the input ``x`` (through its
    normalisation ``y``, of variance ``var``) and for (rows, C) weights
    and biases: summed over the pixels, and over the batch too when one
    row serves it all. Differentiable ops: differentiated again exactly
    when ``y`` and ``var`` carry their graph from ``x``."""
    g = grad_out * _as_map(weight)
    g_x = (g - g.mean(1, keepdim=True) -
           y * (g * y).mean(1, keepdim=True)) / (var + eps).sqrt()
    g_w = (grad_out * y).sum((2, 3))
    g_b = grad_out.sum((2, 3))
    if weight.shape[0] == 1:
        g_w, g_b = g_w.sum(0, keepdim=True), g_b.sum(0, keepdim=True)
    return g_x, g_w, g_b, None


class _FastLayerNorm2d(torch.autograd.Function):

    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        ctx.eps = eps
        y, var = _normalise(x, eps)
        ctx.save_for_backward(y, var, weight)
        return _affine(y, weight, bias)

    @staticmethod
    def backward(ctx, grad_out):
        y, var, weight = ctx.saved_tensors
        return _grads(grad_out, y, var, weight, ctx.eps)


class _ExactLayerNorm2d(torch.autograd.Function):
    """Why not plain torch ops for the forward: their graph keeps every
    intermediate (centred input, variance, std, output) of every layer
    until the double backward; this keeps the input alone and recomputes
    the statistics in the backward (a few elementwise passes)."""

    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        ctx.eps = eps
        ctx.save_for_backward(x, weight)
        return _affine(_normalise(x, eps)[0], weight, bias)

    @staticmethod
    def backward(ctx, grad_out):
        x, weight = ctx.saved_tensors
        return _grads(grad_out, *_normalise(x, ctx.eps), weight, ctx.eps)


def layer_norm_2d(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor,
                  eps: float) -> torch.Tensor:
    """``weight * y + bias``, ``y`` the (B, C, H, W) input normalised over
    its channels at every pixel; ``weight`` and ``bias`` are (C,) (one for
    the batch, as ``LayerNorm2d``'s own) or (B, C) (one per sample).
    Exactly twice differentiable inside :func:`exact_derivatives`."""
    if weight.dim() == 1:  # (no reshape op on the per-sample path)
        weight, bias = weight.view(1, -1), bias.view(1, -1)
    fn = _ExactLayerNorm2d if exact_derivatives_on() else _FastLayerNorm2d
    return fn.apply(x, weight, bias, eps)
