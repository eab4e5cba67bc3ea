"""twice_differentiable: inside it, graphs differentiated twice (the exact
L_orthog) give the true Hessian-vector products through NAFNet; mmagic's
LayerNorm2d alone does not (its hand-written backward is differentiated as
if the normalisation did not depend on its input)."""
import pytest
import torch
from mmagic.models.editors.nafnet.naf_layerNorm2d import LayerNorm2d

from mmdiffir.models.editors.eedtp.twice_differentiable import \
    twice_differentiable
from mmdiffir.models.losses.gradient_ops import grads_or_zeros


def _hvp_double_backward(loss_at, params, v, module, inside):
    """H v of loss_at() by a backward through the gradient's graph, the
    forward built inside twice_differentiable(module) or not."""
    if inside:
        with twice_differentiable(module):
            loss = loss_at()
    else:
        loss = loss_at()
    g = grads_or_zeros(torch.autograd.grad(loss, params, create_graph=True,
                                           allow_unused=True), params)
    return grads_or_zeros(torch.autograd.grad(
        sum((a * b).sum() for a, b in zip(g, v)), params, allow_unused=True),
        params)


def _hvp_central_difference(loss_at, params, v, h=1e-5):
    """H v by central differences of first gradients (float64: error
    O(h^2) + O(1e-16 / h))."""
    saved = [p.detach().clone() for p in params]
    grads = []
    for sign in (1, -1):
        with torch.no_grad():
            for p, p0, d in zip(params, saved, v):
                p.copy_(p0 + sign * h * d)
        grads.append(grads_or_zeros(torch.autograd.grad(
            loss_at(), params, allow_unused=True), params))
    with torch.no_grad():
        for p, p0 in zip(params, saved):
            p.copy_(p0)
    return [(a - b) / (2 * h) for a, b in zip(*grads)]


def _relative_error(a, b):
    num = torch.sqrt(sum(((x - y)**2).sum() for x, y in zip(a, b)))
    return float(num / torch.sqrt(sum((y**2).sum() for y in b)))


def test_layer_norm_2d_second_derivatives():
    torch.manual_seed(0)
    norm = LayerNorm2d(8).double()
    with torch.no_grad():
        norm.weight.normal_()
        norm.bias.normal_()
    x = torch.randn(2, 8, 5, 5, dtype=torch.double, requires_grad=True)
    w = torch.randn(2, 8, 5, 5, dtype=torch.double)
    params = [x, norm.weight, norm.bias]
    v = [torch.randn_like(p) for p in params]

    def loss_at():
        return ((norm(x) * w)**2).sum()

    truth = _hvp_central_difference(loss_at, params, v)
    inside = _hvp_double_backward(loss_at, params, v, norm, True)
    assert _relative_error(inside, truth) < 1e-7
    # mmagic's own layer: right gradient, wrong second derivative
    outside = _hvp_double_backward(loss_at, params, v, norm, False)
    assert _relative_error(outside, truth) > 0.1
    # the same output inside, and the layer's own forward after the context
    with twice_differentiable(norm):
        assert 'forward' in norm.__dict__
        assert torch.equal(norm(x), LayerNorm2d.forward(norm, x))
    assert 'forward' not in norm.__dict__


def test_forwards_come_back_after_an_error():
    norm = LayerNorm2d(4)
    with pytest.raises(RuntimeError, match='inside'):
        with twice_differentiable(norm):
            raise RuntimeError('inside')
    assert 'forward' not in norm.__dict__


def test_default_gef_model_hvp_is_exact_inside(registered, real_photos):
    """The default CPU GEF model (tiny NAFNet, time-conditioned norm layers,
    float64): the double backward of a restoration loss equals the central
    difference of its gradients inside twice_differentiable; outside it
    does not."""
    from tests.test_models.test_orthog import _default_model, _family_batch
    model = _default_model(reg_weight=0.0).double()
    inputs, samples = _family_batch(real_photos, 'noise')
    inputs, gt = inputs.double(), samples.gt_img.double()
    t_mat = model._sample_t_mat(samples, inputs.shape[0])
    params = model.trainable_params()
    torch.manual_seed(1)
    v = [torch.randn_like(p) for p in params]

    def loss_at():
        return ((model.restore(inputs, t_mat) - gt)**2).mean()

    with twice_differentiable(model.generator):
        inside_out = model.restore(inputs, t_mat)
    assert torch.equal(inside_out, model.restore(inputs, t_mat))
    truth = _hvp_central_difference(loss_at, params, v)
    inside = _hvp_double_backward(loss_at, params, v, model.generator, True)
    assert _relative_error(inside, truth) < 1e-6
    outside = _hvp_double_backward(loss_at, params, v, model.generator,
                                   False)
    assert _relative_error(outside, truth) > 1e-3
