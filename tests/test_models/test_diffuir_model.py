"""DiffUIR's UNet sizes (the published parameter counts), its shape
handling, and the model's training objective and test-time sampling."""
import pytest
import torch
from mmagic.structures import DataSample

from mmdiffir.models.editors.diffuir import DiffUIR, DiffUIRUNet

# (dim, dim_mults) -> exact count; the paper's 0.89M / 3.27M / 12.41M / 36.26M
SIZES = {
    'T': (32, (1, 1, 1, 1), 886_435, 0.89),
    'S': (32, (1, 2, 2, 4), 3_268_643, 3.27),
    'B': (64, (1, 2, 2, 4), 12_406_851, 12.41),
    'L': (64, (1, 2, 4, 8), 36_261_187, 36.26),
}


@pytest.mark.parametrize('size', sorted(SIZES))
def test_parameter_counts_match_the_paper(size):
    dim, mults, exact, millions = SIZES[size]
    n = sum(p.numel() for p in DiffUIRUNet(dim, mults).parameters())
    assert n == exact
    assert round(n / 1e6, 2) == millions


def _tiny():
    return DiffUIRUNet(dim=8, dim_mults=(1, 2))


def test_unet_any_size_and_time_conditioning():
    torch.manual_seed(0)
    net = _tiny().eval()
    x = torch.randn(2, 6, 13, 22)  # padded to 4 x ... internally
    t = torch.tensor([10.0, 900.0])
    y = net(x, t)
    assert y.shape == (2, 3, 13, 22)
    # the time embedding changes the output
    assert not torch.allclose(net(x, t.flip(0))[0], y[0])
    # smaller than the padding: replicate instead of reflect
    tiny = net(torch.randn(1, 6, 3, 3), t[:1])  # pad >= side -> replicate
    assert tiny.shape == (1, 3, 3, 3)
    with pytest.raises(ValueError, match='concat'):
        net(torch.randn(1, 3, 8, 8), t[:1])
    with pytest.raises(ValueError, match='divisible by groups'):
        DiffUIRUNet(dim=12, dim_mults=(1, 2))


def _model(**test_cfg):
    return DiffUIR(
        generator=dict(type='DiffUIRUNet', dim=8, dim_mults=(1, 2)),
        schedule=dict(type='DiffUIRSchedule', sampling_steps=3),
        test_cfg=test_cfg,
        data_preprocessor=dict(type='DataPreprocessor', mean=[127.5] * 3,
                               std=[127.5] * 3))


def test_training_objective_is_l1_on_the_residual(monkeypatch, registered):
    torch.manual_seed(0)
    model = _model()
    lq, gt = torch.rand(2, 3, 8, 8) * 2 - 1, torch.rand(2, 3, 8, 8) * 2 - 1
    samples = DataSample(gt_img=gt)
    seen = {}

    class ZeroUNet(torch.nn.Module):
        def forward(self, x, time):
            seen['x'], seen['time'] = x, time
            return torch.zeros(x.shape[0], 3, *x.shape[2:])

    monkeypatch.setattr(model, 'generator', ZeroUNet())
    t = torch.tensor([999, 0])
    monkeypatch.setattr(model.schedule, 'sample_t', lambda b, **kw: t)
    loss = model.forward_train(lq, samples)['loss']
    # a zero prediction: L1 = mean |I_in - I_0|
    assert float(loss) == pytest.approx(float((lq - gt).abs().mean()),
                                        rel=1e-5)
    x = seen['x']
    assert x.shape == (2, 6, 8, 8) and torch.equal(x[:, 3:], lq)
    assert seen['time'].tolist() == pytest.approx(
        [float(model.schedule.abar[999]) * 1000,
         float(model.schedule.abar[0]) * 1000], rel=1e-6)


def test_test_time_sampling_is_seeded_and_configurable(registered):
    torch.manual_seed(0)
    model = _model(seed=0).eval()
    lq = torch.rand(1, 3, 8, 8) * 2 - 1
    a = model.forward_tensor(lq)
    assert torch.equal(a, model.forward_tensor(lq))  # same seed, same noise
    assert a.min() >= -1 and a.max() <= 1
    model.test_cfg = dict(seed=0, sampling_steps=1)
    assert not torch.equal(a, model.forward_tensor(lq))
    with pytest.raises(KeyError, match='steps'):
        _model(steps=3)


@pytest.mark.parametrize('cfg_name', [
    'diffuir_unet-t_1xb10-lr8e-5-600k_universal5.py',
    'diffuir_unet-s_1xb10-lr8e-5-600k_universal5.py',
    'diffuir_unet-b_1xb10-lr8e-5-600k_universal5.py',
    'diffuir_unet-l_1xb10-lr8e-5-600k_universal5.py',
    'diffuir_unet-l_1xb10-lr8e-5-600k_universal5-lolhisteq.py',
])
def test_released_setting_configs_sample_like_the_reference(cfg_name):
    """The released sampler: 3 steps, start noise 0.1, and the predicted
    residual clamped to [-1, 1] at every step (clip_denoised=True)."""
    import os.path as osp

    from mmengine.config import Config

    from tests.helpers import REPO
    cfg = Config.fromfile(osp.join(REPO, 'configs/diffuir', cfg_name))
    sched = cfg.model.schedule
    assert sched.clip_residual is True
    assert (sched.sampling_steps, sched.start_noise) == (3, 0.1)
