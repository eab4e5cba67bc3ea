"""Mixed precision (``--amp bf16|fp16``) for every method: the wrapper's
scaler skips a non-finite fp16 step, EEDTP's hand-made gradients carry the
loss scale exactly, and the real CPU configs of EEDTP, DiffIR S1 / S2 / GAN
and DiffUIR train a few iterations under bf16 autocast and save."""
import glob
import os.path as osp
import sys

import pytest
import torch
from mmagic.structures import DataSample
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.runner import Runner

from mmdiffir.utils import safe_torch_load
from mmdiffir.utils.config import enable_amp
from tests.helpers import REPO
from tests.test_models.eedtp_fixtures import photo_batch, tiny_restorer

sys.path.insert(0, osp.join(REPO, 'tools'))
import train as train_tool  # noqa: E402

GEF = osp.join(REPO, 'configs/eedtp/'
               'eedtp-gef_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-denoise-cpu.py')
FAST = ['train_cfg.max_iters=2', 'train_dataloader.batch_size=2',
        'train_dataloader.num_workers=0', 'val_cfg=None',
        'val_dataloader=None', 'val_evaluator=None',
        'default_hooks.logger.interval=1', 'default_hooks.checkpoint.interval=2',
        'load_from=None']


def _wrapper(params, dtype='float16', **kw):
    from mmdiffir.engine.optimizers import MixedPrecisionOptimWrapper
    return MixedPrecisionOptimWrapper(
        dtype=dtype, optimizer=torch.optim.Adam(params, lr=0.1), **kw)


def test_fp16_non_finite_step_is_skipped_and_the_scale_halved():
    layer = torch.nn.Linear(3, 2)
    optim = _wrapper(layer.parameters(), loss_scale=2.0**10)
    before = [p.detach().clone() for p in layer.parameters()]
    for p in layer.parameters():
        p.grad = torch.full_like(p, float('inf'))
    optim.step()
    assert all(torch.equal(a, p) for a, p in zip(before, layer.parameters()))
    assert optim.optimizer.state_dict()['state'] == {}  # Adam never stepped
    assert optim.loss_scale() == 2.0**9 and optim.skipped_steps == 1
    # a finite (scaled) gradient then steps, unscaled by the wrapper
    for p in layer.parameters():
        p.grad = torch.full_like(p, optim.loss_scale())
    optim.step()
    assert optim.skipped_steps == 1
    for a, p in zip(before, layer.parameters()):
        # Adam's first step moves each weight by lr against the gradient
        assert torch.allclose(p, a - 0.1, atol=1e-6)
    state = optim.state_dict()
    assert state['loss_scaler']['scale'] == 2.0**9
    fresh = _wrapper(layer.parameters())
    fresh.load_state_dict(state)
    assert fresh.loss_scale() == 2.0**9


def test_bf16_has_no_scaler_and_autocasts_on_the_model_device():
    layer = torch.nn.Linear(3, 2)
    optim = _wrapper(layer.parameters(), dtype='bfloat16')
    assert optim.loss_scaler is None and optim.loss_scale() == 1.0
    with optim.optim_context(layer):
        assert layer(torch.ones(1, 3)).dtype == torch.bfloat16
    assert 'loss_scaler' not in optim.state_dict()
    with pytest.raises(ValueError, match='optim_wrapper.dtype'):
        _wrapper(layer.parameters(), dtype='float8')


@pytest.mark.parametrize('mode', ['surgery', 'double_backward'])
def test_eedtp_gradients_of_scaled_losses_are_the_scaled_gradients(
        registered, real_photos, mode):
    """Every differentiated term (L_res, L_gen after decay and surgery or
    with the L_orthog double backward, L_reg) carries the loss scale, so
    dividing by it (the wrapper's step) gives the unscaled update."""
    torch.manual_seed(0)
    model = tiny_restorer(orthog_mode=mode)
    params = model.trainable_params()
    model.anchor.set(params, [torch.rand_like(p) for p in params])
    with torch.no_grad():
        for p in params:
            p.add_(0.01 * torch.randn_like(p))  # off theta0: L_reg != 0
    noisy, samples = photo_batch(real_photos)
    scale = 2.0**12
    ref, log = model.compute_gradients(noisy, samples, params,
                                       use_diffusion=True)
    got, _ = model.compute_gradients(noisy, samples, params,
                                     use_diffusion=True, loss_scale=scale)
    assert 'loss_reg' in log and 'loss_gen' in log
    assert sum(float(g.abs().sum()) for g in ref) > 0
    for r, g in zip(ref, got):
        torch.testing.assert_close(g / scale, r, rtol=1e-4, atol=1e-9)


def test_eedtp_fp16_train_step_applies_the_unscaled_gradient(
        registered, real_photos):
    """A whole train_step under fp16 autocast with a 2**10 scale: the SGD
    update is -lr times the fp32 gradient to fp16 accuracy (not 2**10 times
    it)."""
    torch.manual_seed(0)
    model = tiny_restorer()
    params = model.trainable_params()
    noisy, samples = photo_batch(real_photos)
    # train_step's input: 0..255 images that the preprocessor divides by 255
    data = dict(inputs=[x * 255 for x in noisy],
                data_samples=[DataSample(gt_img=g * 255)
                              for g in samples.gt_img])
    pre = model.data_preprocessor(data, True)
    ref, _ = model.compute_gradients(pre['inputs'], pre['data_samples'],
                                     params, use_diffusion=False)
    from mmdiffir.engine.optimizers import MixedPrecisionOptimWrapper
    lr = 1e-3
    optim = MixedPrecisionOptimWrapper(
        dtype='float16', loss_scale=2.0**10,
        optimizer=torch.optim.SGD(params, lr=lr))
    before = [p.detach().clone() for p in params]
    model.pixel_loss.gen_prob = 0.0  # a restoration-only iteration
    model.train_step(data, optim)
    assert optim.skipped_steps == 0
    step = torch.cat([(a - p.detach()).reshape(-1)
                      for a, p in zip(before, params)])
    want = lr * torch.cat([g.reshape(-1) for g in ref])
    rel = float((step - want).norm() / want.norm())
    assert rel < 0.05, rel


def test_importance_is_estimated_in_the_training_precision(
        registered, real_photos):
    """Omega under the training wrapper: fp16 autocast with the loss scale
    (an overflowing scale is halved until the gradients are finite) agrees
    with fp32 to fp16 accuracy, bf16 likewise; no wrapper = fp32."""
    torch.manual_seed(0)
    model = tiny_restorer()
    params = model.trainable_params()
    noisy, samples = photo_batch(real_photos)
    batch = [dict(inputs=[x * 255 for x in noisy],
                  data_samples=[DataSample(gt_img=g * 255)
                                for g in samples.gt_img])]

    def omega(wrapper):
        model.estimate_importance(batch, wrapper)
        return torch.cat([w.reshape(-1) for w in model.anchor.omega])

    ref = omega(None)
    fp16 = _wrapper(params, loss_scale=2.0**40)  # overflows in fp16
    seen = []
    original = fp16.optim_context

    def counting(module):
        seen.append(module)
        return original(module)

    fp16.optim_context = counting
    got = omega(fp16)
    assert len(seen) > 1  # the overflowing scale was retried
    assert torch.isfinite(got).all()
    assert float((got - ref).norm() / ref.norm()) < 0.05
    got = omega(_wrapper(params, dtype='bfloat16'))
    assert float((got - ref).norm() / ref.norm()) < 0.05
    assert not torch.equal(got, ref)  # it did run under autocast


def test_eedtp_refuses_gradient_accumulation_by_name(registered):
    model = tiny_restorer()
    optim = OptimWrapper(torch.optim.SGD(model.trainable_params(), lr=0.1),
                         accumulative_counts=2)
    with pytest.raises(ValueError, match='accumulative_counts=2'):
        model.train_step(dict(inputs=[], data_samples=[]), optim)


@pytest.mark.parametrize('dtype', ['bf16', 'fp16'])
def test_train_cli_amp_trains_eedtp_gef_and_saves(tmp_path, data_tree,
                                                  dtype):
    """The bar: tools/train.py <EEDTP GEF CPU config> --amp (bf16 on CPU)
    trains (importance estimation and a diffusion iteration included) and
    saves a checkpoint; fp16 also saves its scaler's state."""
    work = tmp_path / dtype
    train_tool.main([GEF, '--work-dir', str(work), '--amp', dtype,
                     '--cfg-options', *FAST,
                     f'train_dataloader.dataset.data_root={data_tree}/train',
                     'model.pixel_loss.gen_prob=1.0',
                     'custom_hooks.0.num_batches=1'])
    ckpt = safe_torch_load(work / 'iter_2.pth')
    assert (('loss_scaler' in ckpt['optimizer']) == (dtype == 'fp16'))
    [log] = glob.glob(f'{work}/*/*.log')
    text = open(log).read()
    assert 'loss_gen' in text
    before = safe_torch_load(work / 'iter_2.pth')['state_dict']
    assert all(torch.isfinite(v).all() for v in before.values()
               if v.is_floating_point())


def _amp(cfg, dtype='bf16'):
    enable_amp(cfg, dtype)
    return cfg


def test_diffir_s1_s2_gan_train_under_bf16(tmp_path, registered, data_tree):
    from tests.test_engine.test_diffir_chain import S1, S2, _cfg
    s1 = tmp_path / 's1'
    Runner.from_cfg(_amp(_cfg(S1, s1, data_tree, max_iters=2))).train()
    assert (s1 / 'iter_2.pth').is_file()
    cfg = _amp(_cfg(S2, tmp_path / 's2', data_tree, max_iters=2))
    cfg.model.s1_checkpoint = str(s1 / 'iter_2.pth')
    assert cfg.optim_wrapper.type == 'MixedPrecisionOptimWrapper'
    Runner.from_cfg(cfg).train()
    assert (tmp_path / 's2' / 'iter_2.pth').is_file()

    gan = osp.join(REPO, 'configs/diffir/'
                   'diffir-s2gan_dirformer-tiny-x4_1xb4-lr1e-4-1k_t91-cpu.py')
    cfg = _amp(_cfg(gan, tmp_path / 'gan', data_tree, max_iters=2))
    cfg.load_from = None
    assert {cfg.optim_wrapper.generator.type,
            cfg.optim_wrapper.discriminator.type} == {
                'MixedPrecisionOptimWrapper'}
    Runner.from_cfg(cfg).train()
    ckpt = safe_torch_load(tmp_path / 'gan' / 'iter_2.pth')
    assert set(ckpt['optimizer']) == {'generator', 'discriminator'}


def test_diffuir_trains_under_bf16(tmp_path, registered, data_tree):
    from tests.test_engine.test_diffuir_runner import _cfg
    roots = (data_tree / 'train', data_tree / 'denoise',
             data_tree / 'deblur/kernels/Levin09.mat')
    cfg = _amp(_cfg(tmp_path, roots, iters=2))
    Runner.from_cfg(cfg).train()
    assert (tmp_path / 'iter_2.pth').is_file()


def test_enable_amp_names_an_unsupported_wrapper():
    cfg = Config(dict(optim_wrapper=dict(type='MyWrapper', optimizer={})))
    with pytest.raises(ValueError, match='optim_wrapper.type'):
        enable_amp(cfg)
    with pytest.raises(ValueError, match='--amp takes'):
        enable_amp(cfg, 'fp8')
