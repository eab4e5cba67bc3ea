"""L_orthog = 1 - cos(g_gen, g_res) acts in the default configuration (its
exact gradient, by double backward): it changes the update on real-photo
batches of every task family with a config."""
import numpy as np
import pytest
import torch
from mmagic.structures import DataSample
from mmengine.config import Config

from mmdiffir.t_mat import T_MAT
from mmdiffir.registry import MODELS, TRANSFORMS

DEFAULT_GEF = ('configs/eedtp/eedtp-gef_nafnet-w16-tiny_1xb4-lr1e-3-1k_'
               't91-denoise-cpu.py')
FAMILIES = {  # the project's degradation of each task family with a config
    'noise': (dict(type='AddGaussianNoise', sigma=25), 'noise'),
    'rain': (dict(type='RainStreaks'), 'rain'),
    'jpeg': (dict(type='JPEGCompression', quality=20), 'jpeg'),
    'low_light': (dict(type='LowLight'), 'lowlight'),
    'haze': (dict(type='Haze'), 'haze'),
    'blur': (dict(type='MotionBlur'), 'blur'),
}


def _family_batch(real_photos, family, size=32):
    deg = TRANSFORMS.build(dict(FAMILIES[family][0], seed=0))
    ins, samples = [], []
    for i, photo in enumerate(real_photos[:2]):
        gt = np.ascontiguousarray(photo[:size, :size]).astype(np.float32)
        out = deg(dict(gt=gt.copy(), key=f'p{i}'))
        ins.append(torch.from_numpy(out['img']).permute(2, 0, 1) / 255)
        samples.append(DataSample(gt_img=torch.from_numpy(gt).permute(
            2, 0, 1) / 255))
    return torch.stack(ins), DataSample.stack(samples)


def _default_model(**loss):
    cfg = Config.fromfile(DEFAULT_GEF).model
    cfg.pixel_loss.update(loss)
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    with torch.no_grad():  # as after TMDDP: heads and residual gains != 0
        for head in model.conditioner.heads.values():
            head[-1].weight.normal_(std=0.05)
        for name, p in model.generator.named_parameters():
            if name.endswith(('beta', 'gamma')):
                p.normal_(std=0.3)
    params = model.trainable_params()  # as after ImportanceEstimationHook
    model.anchor.set(params, [torch.full_like(p, 1e-3) for p in params])
    return model


def _grads(model, inputs, samples):
    params = model.trainable_params()
    grads, log = model.compute_gradients(inputs, samples, params,
                                         use_diffusion=True)
    return torch.cat([g.reshape(-1) for g in grads]), log


@pytest.mark.parametrize('family', list(FAMILIES))
def test_default_orthog_changes_the_update(family, registered, real_photos):
    inputs, samples = _family_batch(real_photos, family)
    loss_cfg = Config.fromfile(DEFAULT_GEF).model.pixel_loss
    assert loss_cfg.orthog_weight > 0
    assert loss_cfg.orthog_mode == 'double_backward'  # the exact gradient
    default = _default_model()
    default.t_mat = T_MAT[FAMILIES[family][1]]
    without = _default_model(orthog_weight=0.0)
    without.t_mat = default.t_mat
    g1, log = _grads(default, inputs, samples)
    g0, _ = _grads(without, inputs, samples)
    assert 0 < float(log['loss_orthog']) < 2
    rel = float((g1 - g0).norm() / g0.norm())
    assert rel > 1e-3, f'L_orthog moved the update by only {rel:.2e}'


def test_orthog_gradient_is_the_exact_gradient(registered, real_photos):
    """On one process the vector-Jacobian product (built so that several
    processes get the global batch's gradient) is the gradient of
    weight * (1 - cos(f * g_gen, g_res)) itself."""
    from .eedtp_fixtures import photo_batch, tiny_restorer
    model = tiny_restorer()
    inputs, samples = photo_batch(real_photos)
    params = model.trainable_params()
    l_res = model.pixel_loss.restoration(
        model.restore(inputs, torch.full((2, ), 20)), samples.gt_img)
    g_res = torch.autograd.grad(sum(l_res.values()), params,
                                create_graph=True, allow_unused=True)
    g_gen = torch.autograd.grad(model.diffusion_loss(samples.gt_img, step=0),
                                params, create_graph=True, allow_unused=True)
    keep = [i for i, (a, b) in enumerate(zip(g_res, g_gen))
            if a is not None and b is not None]
    g_res, g_gen = [g_res[i] for i in keep], [g_gen[i] for i in keep]
    p = [params[i] for i in keep]
    direct = model.pixel_loss.orthogonality([0.7 * g for g in g_gen], g_res)
    b = [2.0 * x for x in torch.autograd.grad(direct, p, retain_graph=True)]
    value, a = model._orthog_gradient(g_gen, g_res,
                                      [0.7 * g.detach() for g in g_gen],
                                      [0.7] * len(p), p, 2.0)
    torch.testing.assert_close(value, direct.detach())
    flat = [torch.cat([x.reshape(-1) for x in g]) for g in (a, b)]
    torch.testing.assert_close(flat[0], flat[1], atol=1e-6, rtol=1e-4)
