"""Grouped (e.g. depthwise) convolutions whose double backward costs a few
convolutions, for the exact L_orthog gradient (a backward through the
backward graph).

Why: torch's generic double backward of a convolution
(``aten::_convolution_double_backward``) computes the weight part of the
second-order term group by group when ``groups > 1``: for NAFNet's depthwise
3x3 convolutions that is one small convolution per channel, thousands per
pass, most of the time of the whole Hessian-vector-product pass on CPU
(``benchmark_eedtp_cost.py --only hvp`` times and profiles both). Here
the backward of such a convolution is itself a function whose backward calls
``aten::convolution_backward`` (grouped kernels, no loop). The values are
those of the generic formulas up to float rounding.

Used through :func:`fast_grouped_double_backward`, which
:func:`.twice_differentiable.twice_differentiable` enters around the
forwards whose graphs are differentiated twice; the backbone's modules are
left as they were afterwards (their ``forward`` is replaced on the instance
only inside the context).
"""
import contextlib
import functools
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import nn
from torch.autograd.function import once_differentiable


def _conv_args(ctx):
    return ctx.stride, ctx.padding, ctx.dilation, ctx.groups


class _ConvBackward(torch.autograd.Function):
    """(grad_input, grad_weight, grad_bias) of a convolution as a function
    of (grad_output, input, weight), with its own backward."""

    @staticmethod
    def forward(ctx, grad_out, x, weight, has_bias, mask, stride, padding,
                dilation, groups):
        ctx.stride, ctx.padding, ctx.dilation, ctx.groups = \
            stride, padding, dilation, groups
        ctx.save_for_backward(grad_out, x, weight)
        bias_sizes = [weight.shape[0]] if has_bias else None
        g_in, g_w, g_b = torch.ops.aten.convolution_backward(
            grad_out, x, weight, bias_sizes, stride, padding, dilation, False,
            [0] * len(stride), groups, [mask[0], mask[1], has_bias and
                                        mask[2]])
        return g_in, g_w, g_b

    @staticmethod
    @once_differentiable
    def backward(ctx, gg_in, gg_w, gg_b):
        grad_out, x, weight = ctx.saved_tensors
        stride, padding, dilation, groups = _conv_args(ctx)
        need_go, need_x, need_w = ctx.needs_input_grad[:3]
        d_go = d_x = d_w = None
        if need_go:  # grad_input and grad_weight are linear in grad_out
            d_go = torch.zeros_like(grad_out)
            if gg_in is not None:
                d_go = d_go + F.conv2d(gg_in, weight, None, stride, padding,
                                       dilation, groups)
            if gg_w is not None:
                d_go = d_go + F.conv2d(x, gg_w, None, stride, padding,
                                       dilation, groups)
            if gg_b is not None:
                d_go = d_go + gg_b.reshape(1, -1, 1, 1)
        if need_x and gg_w is not None:
            # <gg_w, grad_weight(x, go)> = <conv(x, gg_w), go>
            d_x = torch.ops.aten.convolution_backward(
                grad_out, x, gg_w, None, stride, padding, dilation, False,
                [0, 0], groups, [True, False, False])[0]
        if need_w and gg_in is not None:
            # <gg_in, grad_input(go, w)> = <conv(gg_in, w), go>
            d_w = torch.ops.aten.convolution_backward(
                grad_out, gg_in, weight, None, stride, padding, dilation,
                False, [0, 0], groups, [False, True, False])[1]
        return d_go, d_x, d_w, None, None, None, None, None, None


class _GroupedConv2d(torch.autograd.Function):
    """``F.conv2d`` whose backward is :class:`_ConvBackward`."""

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups):
        ctx.stride, ctx.padding, ctx.dilation, ctx.groups = \
            stride, padding, dilation, groups
        ctx.has_bias = bias is not None
        ctx.save_for_backward(x, weight)
        return F.conv2d(x, weight, bias, stride, padding, dilation, groups)

    @staticmethod
    def backward(ctx, grad_out):
        x, weight = ctx.saved_tensors
        mask = list(ctx.needs_input_grad[:3])
        g_in, g_w, g_b = _ConvBackward.apply(grad_out, x, weight,
                                             ctx.has_bias, mask,
                                             *_conv_args(ctx))
        return (g_in if mask[0] else None, g_w if mask[1] else None,
                g_b if mask[2] else None, None, None, None, None)


def _fast_forward(conv: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    if torch.is_autocast_enabled(x.device.type) or x.dtype != \
            conv.weight.dtype:
        # under autocast the generic path casts; keep it there
        return nn.Conv2d.forward(conv, x)
    return _GroupedConv2d.apply(x, conv.weight, conv.bias, conv.stride,
                                conv.padding, conv.dilation, conv.groups)


def _eligible(m: nn.Module) -> bool:
    return type(m) is nn.Conv2d and m.groups > 1 and \
        m.padding_mode == 'zeros' and not isinstance(m.padding, str)


@contextlib.contextmanager
def fast_grouped_double_backward(module: nn.Module) -> Iterator[None]:
    """Inside: every plain grouped ``nn.Conv2d`` of ``module`` (zero
    padding, numeric) computes the same output through
    :class:`_GroupedConv2d`, so that graphs built here have the cheap double
    backward. The instances' own ``forward`` comes back on exit."""
    convs = [m for m in module.modules() if _eligible(m)]
    for m in convs:
        m.forward = functools.partial(_fast_forward, m)
    try:
        yield
    finally:
        for m in convs:
            del m.forward
