"""winograd_conv.conv3x3: the 3x3 convolution of F.conv2d, by NNPACK's
Winograd transform only for float32 CPU forwards without autograd, and
F.conv2d (after one warning) if NNPACK refuses a call."""
import warnings

import pytest
import torch
import torch.nn.functional as F

from mmdiffir.models.conditioning import winograd_conv
from mmdiffir.models.conditioning.winograd_conv import (conv3x3,
                                                        nnpack_usable)


def _case(c_in=24, c_out=60, size=(37, 45), dtype=torch.float32):
    torch.manual_seed(0)
    x = torch.randn(2, c_in, *size, dtype=dtype)
    conv = torch.nn.Conv2d(c_in, c_out, 3, padding=1).to(dtype)
    return x, conv.weight, conv.bias


@pytest.fixture
def nnpack_calls(monkeypatch):
    calls, real = [], torch._nnpack_spatial_convolution

    def counted(*args):
        calls.append(tuple(args[0].shape))
        return real(*args)
    monkeypatch.setattr(torch, '_nnpack_spatial_convolution', counted)
    return calls


@pytest.mark.parametrize('size', [(37, 45), (64, 64), (5, 3)])
def test_no_grad_float32_cpu_takes_winograd_and_equals_conv2d(
        size, nnpack_calls):
    x, w, b = _case(size=size)
    with torch.no_grad():
        want = F.conv2d(x, w, b, padding=1)
        got = conv3x3(x, w, b)
    assert len(nnpack_calls) == nnpack_usable()
    assert got.shape == want.shape
    # Winograd's rounding: about 1e-6 of the magnitude at these sizes
    assert (got - want).abs().max() <= 1e-5 * want.abs().max()


def test_non_contiguous_channel_slice(nnpack_calls):
    """A slice of channels of a batch (as the per-expert middle convs
    take) is made contiguous for NNPACK."""
    x, w, b = _case(c_in=48)
    with torch.no_grad():
        part = x[:, 12:36]
        assert not part.is_contiguous()
        got = conv3x3(part, w[:, :24], b)
        want = F.conv2d(part, w[:, :24], b, padding=1)
    assert len(nnpack_calls) == nnpack_usable()
    assert (got - want).abs().max() <= 1e-5 * want.abs().max()


def test_with_autograd_or_float64_it_is_conv2d(nnpack_calls):
    x, w, b = _case()
    got = conv3x3(x, w, b)
    assert got.requires_grad and torch.equal(got, F.conv2d(x, w, b,
                                                           padding=1))
    got.sum().backward()
    assert w.grad is not None
    x64, w64, b64 = _case(dtype=torch.float64)
    with torch.no_grad():
        assert torch.equal(conv3x3(x64, w64, b64),
                           F.conv2d(x64, w64, b64, padding=1))
    assert nnpack_calls == []


def test_traced_graph_holds_conv2d(nnpack_calls):
    x, w, b = (t.detach() for t in _case())
    with torch.no_grad():
        traced = torch.jit.trace(lambda t: conv3x3(t, w, b), x,
                                 check_trace=False)
    assert nnpack_calls == []
    assert 'nnpack' not in str(traced.graph)
    torch.testing.assert_close(traced(x), F.conv2d(x, w, b, padding=1))


def test_while_compiling_it_is_conv2d(nnpack_calls, monkeypatch):
    x, w, b = _case()
    monkeypatch.setattr(torch.compiler, 'is_compiling', lambda: True)
    with torch.no_grad():
        assert torch.equal(conv3x3(x, w, b), F.conv2d(x, w, b, padding=1))
    assert nnpack_calls == []


def test_refused_call_warns_once_and_falls_back_to_conv2d(monkeypatch):
    x, w, b = _case()
    monkeypatch.setitem(winograd_conv._state, 'usable', True)
    tries = []

    def refuse(*args):
        tries.append(1)
        raise RuntimeError('NNPACK SpatialConvolution_updateOutput failed')
    monkeypatch.setattr(torch, '_nnpack_spatial_convolution', refuse)
    with torch.no_grad():
        want = F.conv2d(x, w, b, padding=1)
        with pytest.warns(UserWarning, match=r'\(2, 24, 37, 45\).*F\.conv2d'):
            assert torch.equal(conv3x3(x, w, b), want)
        with warnings.catch_warnings():
            warnings.simplefilter('error')  # no second warning, no retry
            assert torch.equal(conv3x3(x, w, b), want)
    assert len(tries) == 1 and winograd_conv._state['usable'] is False
