"""DiffIR's S1 / S2 / GAN models on real photos: the encoder warm-up trains
only CPEN_S2 + denoiser, the S1 teacher never changes, ``s1_checkpoint``
loads the teacher and the DIRformer, and the GAN stage steps both
optimizers."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmagic.structures import DataSample
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.optim import build_optim_wrapper

from mmdiffir.registry import MODELS
from tests.helpers import REPO

CFG = osp.join(REPO, 'configs/diffir/')
S1 = CFG + 'diffir-s1_dirformer-tiny_1xb4-lr1e-3-1k_t91-levin-cpu.py'
S2 = CFG + 'diffir-s2_dirformer-tiny_1xb4-lr1e-3-1k_t91-levin-cpu.py'
GAN = CFG + 'diffir-s2gan_dirformer-tiny-x4_1xb4-lr1e-4-1k_t91-cpu.py'


def _batch(real_photos, scale=1, size=32):
    """Real photo crops as GT; LQ = a box blur (deblur) or a box
    downsampling (SR), uint8 like a loaded pipeline output."""
    inputs, samples = [], []
    for img in real_photos[:2]:
        gt = torch.from_numpy(np.ascontiguousarray(
            img[:size, :size].transpose(2, 0, 1))).float()
        if scale == 1:
            lq = torch.nn.functional.avg_pool2d(gt[None], 5, 1, 2)[0]
        else:
            lq = torch.nn.functional.avg_pool2d(gt[None], scale)[0]
        inputs.append(lq.round().to(torch.uint8))
        samples.append(DataSample(gt_img=gt.to(torch.uint8)))
    return dict(inputs=inputs, data_samples=samples)


def _snapshot(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _same(module, snap):
    return {k: torch.equal(v, snap[k]) for k, v in module.state_dict().items()}


def _set_iter(i):
    MessageHub.get_current_instance().update_info('iter', i)


@pytest.fixture
def s2(registered):
    cfg = Config.fromfile(S2)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    yield model, optim
    _set_iter(0)


def test_warmup_updates_only_cpen_s2_and_denoiser(s2, real_photos):
    model, optim = s2
    model.train()
    g = model.generator
    before = {k: _snapshot(getattr(g, k)) for k in ('cpen', 'denoiser',
                                                     'dirformer')}
    s1_before = _snapshot(model.s1)
    batch = _batch(real_photos)
    for it in (0, 1):
        _set_iter(it)  # < encoder_iter (300)
        logs = model.train_step(batch, optim)
        assert 'loss_diff' in logs and 'loss_pix' not in logs
    assert not any(_same(g.cpen, before['cpen']).values())
    assert not all(_same(g.denoiser, before['denoiser']).values())
    assert all(_same(g.dirformer, before['dirformer']).values())
    assert all(_same(model.s1, s1_before).values())

    _set_iter(model.encoder_iter)  # joint phase: L_pix + L_diff
    logs = model.train_step(batch, optim)
    assert {'loss_pix', 'loss_diff'} <= set(logs)
    assert not all(_same(g.dirformer, before['dirformer']).values())
    assert all(_same(model.s1, s1_before).values())
    # S1 stays frozen and in eval mode whatever train() says
    assert model.s1.training is False and g.training is True
    assert not any(p.requires_grad for p in model.s1.parameters())


def test_s1_checkpoint_loads_teacher_and_dirformer(s2, tmp_path, registered):
    model, _ = s2
    s1_model = MODELS.build(Config.fromfile(S1).model)
    path = tmp_path / 's1.pth'
    torch.save(dict(state_dict=s1_model.state_dict()), path)
    model.s1_checkpoint = str(path)
    model.init_weights()
    for k, v in s1_model.generator.state_dict().items():
        assert torch.equal(model.s1.state_dict()[k], v), k
    for k, v in s1_model.generator.dirformer.state_dict().items():
        assert torch.equal(model.generator.dirformer.state_dict()[k], v), k

    torch.save(dict(state_dict={'other.w': torch.zeros(1)}), path)
    with pytest.raises(KeyError, match='s1_checkpoint'):
        model.load_s1(str(path))
    with pytest.raises(FileNotFoundError, match='s1_checkpoint'):
        model.load_s1(str(tmp_path / 'missing.pth'))


def test_s2_inference_uses_the_lq_only(s2, real_photos):
    model, _ = s2
    model.eval()
    batch = _batch(real_photos)
    batch['data_samples'] = [DataSample() for _ in batch['inputs']]
    with torch.no_grad():
        [out, _] = model.test_step(batch)
    assert out.output.pred_img.shape == (3, 32, 32)


def test_bad_encoder_iter_is_named(registered):
    cfg = Config.fromfile(S2)
    cfg.model.encoder_iter = -1
    with pytest.raises(ValueError, match='encoder_iter'):
        MODELS.build(cfg.model)


def test_gan_stage_steps_generator_and_discriminator(registered,
                                                     real_photos):
    cfg = Config.fromfile(GAN)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    model.train()
    before = {k: _snapshot(getattr(model, k))
              for k in ('generator', 'discriminator', 's1')}
    logs = model.train_step(_batch(real_photos, scale=4), optim)
    assert {'loss_pix', 'loss_gan', 'loss_diff', 'loss_d_real',
            'loss_d_fake'} <= set(logs)
    assert not all(_same(model.generator, before['generator']).values())
    assert not all(_same(model.discriminator,
                         before['discriminator']).values())
    assert all(_same(model.s1, before['s1']).values())
    with pytest.raises(ValueError, match='OptimWrapperDict'):
        model.train_step(_batch(real_photos, scale=4), optim['generator'])


def test_vgg_perceptual_loss_weights_come_from_init_cfg(registered, tmp_path):
    import torchvision
    vgg = torchvision.models.vgg19(weights=None)
    path = tmp_path / 'vgg19.pth'
    torch.save(vgg.state_dict(), path)
    loss = MODELS.build(dict(
        type='VGGPerceptualLoss', layer_weights={'2': 1.0, '7': 0.5},
        init_cfg=dict(type='Pretrained', checkpoint=str(path))))
    assert not torch.equal(loss.features[0].weight, vgg.features[0].weight)
    loss.init_weights()
    assert torch.equal(loss.features[0].weight, vgg.features[0].weight)
    x = torch.rand(1, 3, 32, 32, requires_grad=True)
    value, style = loss(x, torch.rand(1, 3, 32, 32))
    assert style is None and value > 0
    value.backward()
    assert x.grad is not None and loss.features[0].weight.grad is None


def test_s1_test_step_reads_the_gt_like_training(registered, real_photos):
    """At test time mmagic leaves the samples' GT un-normalised and in BGR;
    the S1 prediction must still use the GT exactly as in training."""
    model = MODELS.build(Config.fromfile(S1).model).eval()
    batch = _batch(real_photos)
    with torch.no_grad():
        preds = model.test_step(batch)
        lq = torch.stack(batch['inputs']).float() / 255
        gt = torch.stack([s.gt_img for s in batch['data_samples']]) / 255
        expected, _ = model.generator(lq, gt.float())
    # mmagic's DataPreprocessor.destruct clamps predictions to [0, 255]; an
    # untrained network leaves [0, 1] on some pixels, so clamp alike
    for pred, exp in zip(preds, expected):
        torch.testing.assert_close(pred.output.pred_img.float(),
                                   exp.clamp(0, 1) * 255, atol=1e-3,
                                   rtol=1e-4)


def test_deblur_configs_carry_the_released_training_recipe():
    """S1: Adam (0.9, 0.999) and EMA 0.999; S2: the released LR curve,
    2e-4 * 0.1^(it // 60k) during the 100k warm-up, then
    2e-4 * 0.5^((it - 100k) // 80k), as the Runner steps the schedulers."""
    from mmengine.registry import PARAM_SCHEDULERS
    folder = osp.join(REPO, 'configs/diffir')
    s1 = Config.fromfile(osp.join(
        folder, 'diffir-s1_dirformer-48_8xb8-lr2e-4-300k_gopro.py'))
    assert tuple(s1.optim_wrapper.optimizer.betas) == (0.9, 0.999)
    assert [h.momentum for h in s1.custom_hooks
            if h.type == 'EMAHook'] == [0.001]
    s2 = Config.fromfile(osp.join(
        folder, 'diffir-s2_dirformer-48_8xb8-lr2e-4-400k_gopro.py'))
    assert s2.model.encoder_iter == 100_000
    opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))],
                           lr=s2.optim_wrapper.optimizer.lr)
    scheds = [PARAM_SCHEDULERS.build(dict(c, optimizer=opt))
              for c in s2.param_scheduler]

    def released(it):
        if it < 100_000:
            return 2e-4 * 0.1**(it // 60_000)
        return 2e-4 * 0.5**((it - 100_000) // 80_000)

    checks = {0, 59_999, 60_000, 99_999, 100_000, 179_999, 180_000,
              260_000, 340_000, 399_999}
    for it in range(400_000):
        if it in checks:
            assert opt.param_groups[0]['lr'] == pytest.approx(
                released(it), rel=1e-9), it
        for s in scheds:
            s.step()
