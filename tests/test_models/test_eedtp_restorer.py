"""EEDTPRestorer: every DiffusionAlignLoss term changes the update when its
weight is non-zero and leaves it alone when zero; importance estimation;
single-pass inference."""
import pytest
import torch

from mmdiffir.models.losses.gradient_ops import cosine, project_conflict
from .eedtp_fixtures import photo_batch, tiny_restorer

OFF = dict(gen_weight=0.0, orthog_weight=0.0, reg_weight=0.0, layer_decay=0.0)


def _grads(model, batch, use_diffusion):
    torch.manual_seed(123)  # same diffusion draws (t, eps) in each call
    params = model.trainable_params()
    grads, log = model.compute_gradients(*batch, params,
                                         use_diffusion=use_diffusion)
    return torch.cat([g.reshape(-1) for g in grads]), log


def _ready_anchor(model):
    """theta0 = weights moved a little, Omega = ones: L_reg is non-zero."""
    params = model.trainable_params()
    torch.manual_seed(7)
    theta0 = [p.detach() + 1e-2 * torch.randn_like(p) for p in params]
    model.anchor.set(theta0, [torch.ones_like(p) for p in params])


def test_all_weights_zero_equals_restoration_only(registered, real_photos):
    model = tiny_restorer(**OFF)
    _ready_anchor(model)
    batch = photo_batch(real_photos)
    plain, _ = _grads(model, batch, use_diffusion=False)
    joined, log = _grads(model, batch, use_diffusion=True)
    assert 'loss_gen' in log
    assert torch.allclose(plain, joined, atol=0, rtol=0)


@pytest.mark.parametrize('term,on', [
    ('gen_weight', dict(gen_weight=1.0)),
    ('layer_decay', dict(gen_weight=1.0, layer_decay=0.05)),
    ('orthog_double_backward', dict(gen_weight=1.0, orthog_weight=1.0,
                                    orthog_mode='double_backward')),
    ('reg_weight', dict(reg_weight=0.2)),
])
def test_each_term_changes_the_update(term, on, registered, real_photos):
    batch = photo_batch(real_photos)
    # decay and L_orthog act on the diffusion gradient: compare them with
    # the diffusion gradient on and only their own weight off.
    base = dict(OFF, gen_weight=0.0 if term in ('gen_weight', 'reg_weight')
                else 1.0)
    without = tiny_restorer(**base)
    with_term = tiny_restorer(**{**OFF, **on})
    for m in (without, with_term):
        _ready_anchor(m)
    g0, _ = _grads(without, batch, use_diffusion=True)
    g1, log = _grads(with_term, batch, use_diffusion=True)
    assert not torch.allclose(g0, g1), f'{term} did not change the gradient'
    if term == 'orthog_double_backward':
        assert 'loss_orthog' in log


def test_reg_gradient_is_the_closed_form(registered, real_photos):
    batch = photo_batch(real_photos)
    model = tiny_restorer(**{**OFF, 'reg_weight': 0.2})
    _ready_anchor(model)
    plain, _ = _grads(model, batch, use_diffusion=False)
    joined, _ = _grads(model, batch, use_diffusion=True)
    params = model.trainable_params()
    expected = torch.cat([
        (0.2 * (w * torch.sign(p - p0) + w.square() * (p - p0))).reshape(-1)
        for p, p0, w in zip(params, model.anchor.theta0, model.anchor.omega)
    ]).detach()
    assert torch.allclose(joined - plain, expected, atol=1e-6)


def test_layer_decay_scales_deep_layers_more(registered):
    model = tiny_restorer()
    scales = model.pixel_loss.depth_scales(model.param_depths, 20)
    names = model._param_names
    intro = scales[names.index('generator.intro.weight')]
    ending = scales[names.index('generator.ending.weight')]
    assert intro == pytest.approx(1.0)
    assert ending == pytest.approx(torch.exp(torch.tensor(-0.05 * 20)))


def test_surgery_removes_only_the_conflicting_component():
    g_res = [torch.tensor([1.0, 0.0]), torch.tensor([0.0])]
    agree = [torch.tensor([1.0, 1.0]), torch.tensor([2.0])]
    conflict = [torch.tensor([-1.0, 1.0]), torch.tensor([2.0])]
    assert all(torch.equal(a, b) for a, b in
               zip(project_conflict(agree, g_res), agree))
    fixed = project_conflict(conflict, g_res, strength=1.0)
    assert float(cosine(fixed, g_res)) == pytest.approx(0.0, abs=1e-6)
    half = project_conflict(conflict, g_res, strength=0.5)
    assert torch.allclose(half[0], torch.tensor([-0.5, 1.0]))
    assert all(torch.equal(a, b) for a, b in
               zip(project_conflict(conflict, g_res, 0.0), conflict))


def test_estimate_importance_is_mean_abs_gen_gradient(registered, real_photos):
    model = tiny_restorer()
    noisy, samples = photo_batch(real_photos)
    batch = dict(inputs=[x * 255 for x in noisy],
                 data_samples=[s for s in samples.split()])
    for s in batch['data_samples']:
        s.gt_img = s.gt_img * 255
    model.estimate_importance([batch, batch])
    assert bool(model.anchor.ready)
    # recompute by hand with the same (keyed) draws: stream 1, step = batch
    params = model.trainable_params()
    gt = samples.gt_img
    total = [torch.zeros_like(p) for p in params]
    for n in range(2):
        loss = model.diffusion_loss(gt, step=n, stream=1)
        gs = torch.autograd.grad(loss, params, allow_unused=True)
        total = [t + (g.abs() if g is not None else 0) for t, g in
                 zip(total, gs)]
    for w, t, p, p0 in zip(model.anchor.omega, total, params,
                           model.anchor.theta0):
        assert torch.allclose(w, t / 2, atol=1e-7)
        assert torch.equal(p.detach(), p0)


def test_single_pass_inference_at_t_mat(registered, real_photos):
    model = tiny_restorer().eval()
    noisy, samples = photo_batch(real_photos)
    with torch.no_grad():
        out = model.forward_tensor(noisy, samples)
        ref = model.restore(noisy, torch.full((2,), 20))
        other = model.restore(noisy, torch.full((2,), 3))
    assert torch.allclose(out, ref, atol=1e-6)
    assert not torch.allclose(out, other)
    model.test_cfg = dict(flip_ensemble=8)
    with torch.no_grad():
        ens = model.forward_tensor(noisy, samples)
    assert ens.shape == out.shape and not torch.equal(ens, out)


def test_zero_init_restorer_equals_plain_backbone(registered, real_photos):
    from mmdiffir.registry import MODELS
    model = tiny_restorer()
    model.conditioner.init_weights()  # heads back to zero
    noisy, samples = photo_batch(real_photos)
    model.eval()
    with torch.no_grad():
        out = model.forward_tensor(noisy, samples)
        model.conditioner.detach()
        plain = model.generator(noisy)
    assert torch.equal(out, plain)
    assert MODELS.get('EEDTPRestorer') is type(model)


def test_diffusion_draws_are_keyed_by_iteration_and_global_position(
        registered, real_photos):
    """The same (iteration, global sample position) gives the same t and
    noise whatever the RNG state, the batch split or the process layout;
    another iteration or position gives others."""
    from unittest import mock
    model = tiny_restorer()
    gt = photo_batch(real_photos)[1].gt_img.repeat(2, 1, 1, 1)  # 4 samples
    torch.manual_seed(1)
    t, eps = model.keyed_draws(gt, step=7)
    torch.manual_seed(2)
    t2, eps2 = model.keyed_draws(gt, step=7)
    assert torch.equal(t, t2) and torch.equal(eps, eps2)
    t3, eps3 = model.keyed_draws(gt, step=8)
    assert not torch.equal(eps, eps3)
    assert not torch.equal(eps[0], eps[1])
    # rank r of 2 with half the batch draws the global positions r, r + 2
    for rank in (0, 1):
        with mock.patch('mmdiffir.models.editors.eedtp.eedtp_restorer.'
                        'get_dist_info', return_value=(rank, 2)):
            tr, er = model.keyed_draws(gt[:2], step=7)
        assert torch.equal(tr, t[rank::2]) and torch.equal(er, eps[rank::2])
    # the draw seed is part of the checkpoint
    assert 'draw_seed' in model.state_dict()
