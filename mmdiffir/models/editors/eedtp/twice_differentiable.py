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
  exactly (``conditioning/layer_norm_2d.py``).
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

from mmdiffir.models.conditioning.layer_norm_2d import (exact_derivatives,
                                                        layer_norm_2d)
from .grouped_conv import fast_grouped_double_backward


def layer_norm_forward(norm: LayerNorm2d, x: torch.Tensor) -> torch.Tensor:
    """``LayerNorm2d``'s output (normalised over channels, per pixel, then
    the affine weight and bias), the same values as mmagic's, with exact
    derivatives of every order inside :func:`exact_derivatives`."""
    return layer_norm_2d(x, norm.weight, norm.bias, norm.eps)


@contextlib.contextmanager
def twice_differentiable(module: nn.Module,
                         fast_grouped: bool = True) -> Iterator[None]:
    """Inside: every ``LayerNorm2d`` of ``module`` computes through
    :func:`layer_norm_forward` (exactly twice differentiable) and, with
    ``fast_grouped`` (the default; False keeps torch's generic one, for
    comparison), every plain grouped conv through
    :func:`.grouped_conv.fast_grouped_double_backward`."""
    # a norm layer the time conditioning computes already (it sets its
    # own forward) follows exact_derivatives() by itself
    norms = [m for m in module.modules() if isinstance(m, LayerNorm2d)
             and 'forward' not in m.__dict__]
    for m in norms:
        m.forward = functools.partial(layer_norm_forward, m)
    try:
        with exact_derivatives(), (
                fast_grouped_double_backward(module) if fast_grouped else
                contextlib.nullcontext()):
            yield
    finally:
        for m in norms:
            del m.forward
