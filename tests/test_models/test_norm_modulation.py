"""The time modulation of NAFNet's LayerNorm2d computed as the layer norm's
own per-sample affine (layer_norm_2d.py): the same values and gradients as
the definition ``LN(x) (1 + scale) + shift``, in the default configs, with
exact second derivatives inside exact_derivatives()."""
import copy
import pickle

import pytest
import torch
from mmagic.models.editors.nafnet.naf_layerNorm2d import LayerNorm2d

from mmdiffir.models.conditioning import TimeConditioner
from mmdiffir.models.conditioning.layer_norm_2d import (exact_derivatives,
                                                        layer_norm_2d)
from mmdiffir.models.conditioning.time_conditioning import (
    _head_key, sinusoidal_embedding)

NAFNET = dict(type='NAFNet', img_channels=3, mid_channels=8,
              enc_blk_nums=[1, 1], middle_blk_num=1, dec_blk_nums=[1, 1])


def _conditioned(dtype=torch.float32):
    """A small NAFNet conditioned at its LayerNorm2d layers (the configs'
    default placement), non-zero heads, norm affines and residual gains
    (as after training; NAFNet's gains start at zero)."""
    from mmdiffir.registry import MODELS
    torch.manual_seed(0)
    net = MODELS.build(copy.deepcopy(NAFNET)).to(dtype)
    cond = TimeConditioner(embed_dim=16, num_steps=50,
                           block_types=['LayerNorm2d']).to(dtype)
    cond.attach(net, torch.zeros(1, 3, 16, 16, dtype=dtype))
    with torch.no_grad():
        for p in cond.heads.parameters():
            p.normal_(std=0.1)
        for m in net.modules():
            if isinstance(m, LayerNorm2d):
                m.weight.normal_(1, 0.2)
                m.bias.normal_(std=0.2)
        for name, p in net.named_parameters():
            if name.endswith(('beta', 'gamma')):
                p.normal_(std=0.5)
    return net, cond


def _by_definition(net, cond, x, t):
    """The same network with every hooked norm's output modulated as
    METHODS.md writes it, by plain forward hooks on mmagic's own layer."""
    ref = copy.deepcopy(net)
    ref_cond = copy.deepcopy(cond)  # the copy's norms compute through it
    ref_cond.detach()
    modules = dict(ref.named_modules())
    act = torch.nn.functional.silu(ref_cond.time_mlp(
        sinusoidal_embedding(t, ref_cond.embed_dim).to(x.dtype)))

    def hook(key, module, args, out):
        scale, shift = ref_cond.heads[key][-1](act).chunk(2, dim=1)
        return out * (1 + scale[..., None, None]) + shift[..., None, None]

    for name in cond.selected:
        modules[name].register_forward_hook(
            lambda m, a, o, key=_head_key(name): hook(key, m, a, o))
    return ref(x), ref, ref_cond


def test_default_configs_compute_nafnet_norms_without_hooks(registered):
    """The default NAFNet GEF config: every conditioned LayerNorm2d is
    computed by the conditioner (forward set on the instance), none through
    a forward hook; detach gives mmagic's layer back."""
    from mmengine.config import Config

    from mmdiffir.registry import MODELS
    cfg = Config.fromfile('configs/eedtp/eedtp-gef_nafnet-w16-tiny_1xb4-'
                          'lr1e-3-1k_t91-denoise-cpu.py')
    model = MODELS.build(cfg.model)
    modules = dict(model.generator.named_modules())
    norms = [modules[n] for n in model.conditioner.selected]
    assert norms and all(type(m) is LayerNorm2d for m in norms)
    assert all('forward' in m.__dict__ and not m._forward_hooks
               for m in norms)
    model.conditioner.detach()
    assert all('forward' not in m.__dict__ for m in norms)


@pytest.mark.parametrize('steps', [[7, 33], [20]])  # per sample; broadcast
def test_values_and_gradients_match_the_definition(registered, steps):
    net, cond = _conditioned(torch.float64)
    torch.manual_seed(3)
    x = torch.rand(2, 3, 16, 16, dtype=torch.float64)
    t = torch.tensor(steps)
    expected, ref, ref_cond = _by_definition(net, cond, x, t)
    cond.set_time(t)
    out = net(x)
    torch.testing.assert_close(out, expected, rtol=1e-12, atol=1e-12)
    assert not torch.equal(out, (cond.set_time(None), net(x))[1])
    cond.set_time(t)
    params = [*net.parameters(), *cond.parameters()]
    ref_params = [*ref.parameters(), *ref_cond.parameters()]
    w = torch.randn_like(out)
    grads = torch.autograd.grad((net(x) * w).sum(), params)
    ref_grads = torch.autograd.grad((expected * w).sum(), ref_params)
    for g, r in zip(grads, ref_grads):
        torch.testing.assert_close(g, r, rtol=1e-10, atol=1e-12)
    assert all(g.abs().sum() > 0 for g in grads[-2:])  # heads learn


def test_second_derivatives_exact_inside_exact_derivatives():
    """A Hessian-vector product through the modulated norm by double
    backward equals the central difference of its gradients (float64);
    the fast form used for single gradients does not."""
    torch.manual_seed(0)
    x = torch.randn(2, 6, 4, 4, dtype=torch.float64)
    weight = torch.randn(2, 6, dtype=torch.float64)  # per sample
    bias = torch.randn(2, 6, dtype=torch.float64)
    w = torch.randn(2, 6, 4, 4, dtype=torch.float64)
    params = [p.requires_grad_() for p in (x, weight, bias)]
    v = [torch.randn_like(p) for p in params]

    def grads():
        loss = ((layer_norm_2d(x, weight, bias, 1e-6) * w)**2).sum()
        return torch.autograd.grad(loss, params, create_graph=True)

    def hvp():
        return torch.autograd.grad(
            sum((g * d).sum() for g, d in zip(grads(), v)), params)

    def error(a, b):
        return float(torch.sqrt(sum(((p - q)**2).sum() for p, q in zip(a, b)))
                     / torch.sqrt(sum((q**2).sum() for q in b)))

    h = 1e-5
    with torch.no_grad():
        for p, d in zip(params, v):
            p.add_(h * d)
    plus = [g.detach() for g in grads()]
    with torch.no_grad():
        for p, d in zip(params, v):
            p.sub_(2 * h * d)
    minus = [g.detach() for g in grads()]
    with torch.no_grad():
        for p, d in zip(params, v):
            p.add_(h * d)
    truth = [(a - b) / (2 * h) for a, b in zip(plus, minus)]
    with exact_derivatives():
        assert error(hvp(), truth) < 1e-7
    assert error(hvp(), truth) > 0.01


def test_unmodulated_is_mmagic_layer_and_copies_work(registered):
    net, cond = _conditioned()
    x = torch.rand(2, 3, 16, 16)
    norm = next(m for m in net.modules() if isinstance(m, LayerNorm2d))
    plain = LayerNorm2d.forward(norm, torch.ones(1, norm.weight.numel(), 2,
                                                 2))
    assert torch.equal(norm(torch.ones(1, norm.weight.numel(), 2, 2)), plain)
    cond.set_time(torch.tensor([5, 9]))
    with torch.no_grad():
        out = net(x)
        for copied in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
            assert torch.equal(copied(x), out)
        cond.set_time(torch.tensor([5, 9, 1]))
        with pytest.raises(ValueError, match='3 time steps for a batch of 2'):
            net(x)
