"""The cheaper GEF training step computes what the straightforward one does.

* the time conditioning computes its modulations once per forward (one
  time-MLP call, one call of each head's linear layer), not per hook;
* grouped (depthwise) convolutions with the cheap double backward give the
  generic double backward's values;
* on the default CPU GEF config, ``train_step`` (a non-diffusion and a
  diffusion iteration with the exact L_orthog) leaves the parameters where a
  reference formulation written out here leaves them (1e-6).
"""
import contextlib
import copy

import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.optim import build_optim_wrapper
from torch import nn

from mmdiffir.models.editors.eedtp.grouped_conv import \
    fast_grouped_double_backward
from mmdiffir.models.editors.eedtp.twice_differentiable import \
    twice_differentiable
from mmdiffir.models.losses.gradient_ops import cosine, grads_or_zeros
from mmdiffir.registry import MODELS

DEFAULT_GEF = ('configs/eedtp/eedtp-gef_nafnet-w16-tiny_1xb4-lr1e-3-1k_'
               't91-denoise-cpu.py')


def _default_model():
    """The default CPU GEF model as after TMDDP (heads and residual gains
    non-zero) and ImportanceEstimationHook (anchor filled)."""
    cfg = Config.fromfile(DEFAULT_GEF)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    with torch.no_grad():
        for head in model.conditioner.heads.values():
            head[-1].weight.normal_(std=0.05)
        for name, p in model.generator.named_parameters():
            if name.endswith(('beta', 'gamma')):
                p.normal_(std=0.3)
    params = model.trainable_params()
    g = torch.Generator().manual_seed(1)
    model.anchor.set(params, [torch.rand(p.shape, generator=g) * 1e-2
                              for p in params])
    return model, cfg.optim_wrapper


def _batch(real_photos, size=32):
    from mmagic.structures import DataSample
    gts = [torch.from_numpy(p[:size, :size].copy()).permute(2, 0, 1).float()
           for p in real_photos[:2]]
    g = torch.Generator().manual_seed(0)
    return dict(inputs=[x + 25 * torch.randn(x.shape, generator=g)
                        for x in gts],
                data_samples=[DataSample(gt_img=x) for x in gts])


def _iteration(model, diffusion: bool) -> int:
    hub = MessageHub.get_current_instance()
    for it in range(1, 1000):
        hub.update_info('iter', it)
        if model.diffusion_iteration() == diffusion:
            return it
    raise AssertionError('no such iteration')


def test_modulations_computed_once_per_forward(registered, monkeypatch):
    """One time MLP and one linear layer per head per backbone forward
    (every linear layer runs through F.linear, counted here), not one per
    hooked module or per use."""
    model, _ = _default_model()
    cond = model.conditioner
    calls = {'mlp': 0, 'linear': 0}
    linear = nn.functional.linear

    def counted_linear(*args, **kwargs):
        calls['linear'] += 1
        return linear(*args, **kwargs)

    def count_mlp(*_):
        calls['mlp'] += 1

    monkeypatch.setattr(nn.functional, 'linear', counted_linear)
    handle = cond.time_mlp.register_forward_hook(count_mlp)
    x = torch.rand(2, 3, 32, 32)
    for n_forwards in (1, 2):
        calls.update(mlp=0, linear=0)
        for _ in range(n_forwards):
            out = model.restore(x, torch.tensor([3, 7]))
        # the time MLP's two layers and each head's
        assert calls == dict(mlp=n_forwards,
                             linear=n_forwards * (2 + len(cond.heads)))
    handle.remove()
    # the looked-up modulations act (the heads are non-zero): the output
    # differs from the pass-through one
    cond.set_time(None)
    assert not torch.equal(out, model.generator(x))


def test_grouped_conv_double_backward_matches_generic():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(4, 8, 1), nn.Conv2d(8, 8, 3, 2, 1,
                                                      groups=8),
                        nn.GELU(), nn.Conv2d(8, 8, 3, 1, 1, groups=2,
                                             bias=False)).double()
    x = torch.randn(2, 4, 11, 11, dtype=torch.double)
    params = list(net.parameters())

    def hvp(fast):
        if fast:
            with fast_grouped_double_backward(net):
                y = net(x)
        else:
            y = net(x)
        g = torch.autograd.grad((y.tanh() ** 2).sum(), params,
                                create_graph=True)
        u = [torch.ones_like(v) for v in g]
        return g, torch.autograd.grad(
            sum((a * b).sum() for a, b in zip(g, u)), params)

    (g0, h0), (g1, h1) = hvp(False), hvp(True)
    for a, b in zip(g0 + h0, g1 + h1):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)
    assert all('forward' not in m.__dict__ for m in net.modules())


def _reference_step(model, optim, data, diffusion: bool):
    """The GEF objective written out plainly: L_res's gradient by one
    backward; in a diffusion iteration, both gradients with their graphs
    (generic autograd, NAFNet's LayerNorm2d exactly twice differentiable),
    the decayed diffusion gradient, and the gradient of
    orthog_weight * (1 - cos(g_diff, g_res)) + L_reg by autograd through the
    cosine itself."""
    loss_fn = model.pixel_loss
    data = model.data_preprocessor(data, True)
    inputs, samples = data['inputs'], data['data_samples']
    gt = samples.gt_img
    params = model.trainable_params()
    t_mat = model._sample_t_mat(samples, inputs.shape[0])
    # graphs differentiated twice need NAFNet's LayerNorm2d as plain ops
    # (its own double backward is wrong: test_twice_differentiable.py);
    # grouped convs keep torch's generic double backward here
    with twice_differentiable(model.generator, fast_grouped=False) if \
            diffusion else contextlib.nullcontext():
        l_res = sum(loss_fn.restoration(model.restore(inputs, t_mat),
                                        gt).values())
        l_gen = model.diffusion_loss(gt) if diffusion else None
    if not diffusion:
        l_res.backward()
        for p in params:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
    else:
        g_res = grads_or_zeros(torch.autograd.grad(
            l_res, params, allow_unused=True, create_graph=True), params)
        g_gen = grads_or_zeros(torch.autograd.grad(
            l_gen, params, allow_unused=True, create_graph=True), params)
        scales = loss_fn.depth_scales(model.param_depths,
                                      t_mat.float().mean())
        g_diff = [loss_fn.gen_weight * g * s for g, s in zip(g_gen, scales)]
        l_reg = loss_fn.reg_weight * sum(
            (w * (p - p0).abs()).sum() + 0.5 * (w * (p - p0)).square().sum()
            for p, p0, w in zip(params, model.anchor.theta0,
                                model.anchor.omega))
        extra = loss_fn.orthog_weight * (1 - cosine(g_diff, g_res)) + l_reg
        g_extra = grads_or_zeros(torch.autograd.grad(
            extra, params, allow_unused=True), params)
        for p, r, d, e in zip(params, g_res, g_diff, g_extra):
            p.grad = (r + d + e).detach()
    optim.step()
    optim.zero_grad()


def test_train_step_matches_reference_formulation(registered, real_photos):
    model, optim_cfg = _default_model()
    reference = copy.deepcopy(model)
    optim = build_optim_wrapper(model, optim_cfg)
    ref_optim = build_optim_wrapper(reference, optim_cfg)
    batch = _batch(real_photos)
    assert model.pixel_loss.orthog_mode == 'double_backward'
    hub = MessageHub.get_current_instance()
    for diffusion in (False, True, False):
        it = _iteration(model, diffusion)
        hub.update_info('iter', it)
        log = model.train_step(copy.deepcopy(batch), optim)
        assert ('loss_orthog' in log) == diffusion
        _reference_step(reference, ref_optim, copy.deepcopy(batch),
                        diffusion)
        for (name, p), q in zip(model.named_parameters(),
                                reference.parameters()):
            torch.testing.assert_close(p, q, rtol=0, atol=1e-6, msg=name)
    # the steps moved the weights (the comparison is not of two copies of
    # the start)
    start, _ = _default_model()
    moved = max((p - q).abs().max().item() for p, q in zip(
        model.parameters(), start.parameters()))
    assert moved > 1e-4
