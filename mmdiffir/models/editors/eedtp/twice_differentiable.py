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
  formula with plain torch ops, which autograd differentiates to any order.
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


def layer_norm_2d(norm: LayerNorm2d, x: torch.Tensor) -> torch.Tensor:
    """``LayerNorm2d``'s output (normalised over channels, per pixel, then
    the affine weight and bias) with torch ops only: the operations of
    mmagic's ``LayerNormFunction.forward`` in the same order, so the same
    values, and autograd's exact derivatives of every order."""
    mu = x.mean(1, keepdim=True)
    centred = x - mu
    var = centred.pow(2).mean(1, keepdim=True)
    y = centred / (var + norm.eps).sqrt()
    return norm.weight.view(1, -1, 1, 1) * y + norm.bias.view(1, -1, 1, 1)


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
