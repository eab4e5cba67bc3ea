"""TaskAdapter: identity at attach (scale 0), the fused experts equal N
separate experts, routing follows t_mat, adapters refuse a pass without
time, plug-and-play training leaves the backbone bit-identical, and a
checkpoint's test-time model uses its adapters."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmagic.structures import DataSample
from mmengine.optim import build_optim_wrapper

from mmdiffir.models.conditioning import MoEAdapter, TaskAdapter
from mmdiffir.registry import MODELS
from tests.test_models.eedtp_fixtures import build_tiny, photo_batch

ADAPTER = dict(type='TaskAdapter', name_patterns=[r'decoders\.\d+'],
               num_experts=3, reduction=2, embed_dim=16)


def _restorer(adapter=ADAPTER, t_mat=4, **kw):
    return build_tiny(dict(gen_prob=0.0), adapter=adapter, t_mat=t_mat, **kw)


def _open_adapters(model, value=0.5):
    with torch.no_grad():
        for a in model.adapter.adapters.values():
            a.scale.fill_(value)


@pytest.mark.parametrize('generator,pattern', [
    (dict(type='NAFNet', img_channels=3, mid_channels=8, enc_blk_nums=[1, 1],
          middle_blk_num=1, dec_blk_nums=[1, 1]), r'decoders\.\d+'),
    (dict(type='Restormer', dim=8, num_blocks=[1, 1, 1, 1],
          num_refinement_blocks=1, heads=[1, 1, 1, 1]),
     r'decoder_level\d'),
])
def test_attached_adapters_change_nothing_at_start(generator, pattern,
                                                   registered):
    torch.manual_seed(0)
    net = MODELS.build(generator).eval()
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        plain = net(x)
        adapter = TaskAdapter(name_patterns=[pattern], num_experts=3,
                              embed_dim=16)
        assert adapter.attach(net, x[:1])
        adapter.init_weights()
        adapter.set_time(torch.tensor([4, 47]))
        assert torch.equal(net(x), plain)
        _open_adapters(type('M', (), {'adapter': adapter}))
        assert not torch.allclose(net(x), plain)
        adapter.detach()
        assert torch.equal(net(x), plain)


def test_fused_experts_equal_separate_experts():
    torch.manual_seed(0)
    c, n, r = 8, 3, 2
    moe = MoEAdapter(c, num_experts=n, reduction=r, embed_dim=16)
    h = torch.randn(2, c, 10, 10)
    w = torch.softmax(torch.randn(2, n), dim=1)
    m = c // r
    expected = 0
    for i in range(n):
        sl = slice(i * m, (i + 1) * m)
        z = F.gelu(F.conv2d(h, moe.conv_in.weight[sl], moe.conv_in.bias[sl],
                            padding=1))
        z = F.gelu(F.conv2d(z, moe.conv_mid.weight[sl],
                            moe.conv_mid.bias[sl], padding=1))
        out = F.conv2d(z, moe.proj_weight[:, sl], moe.proj_bias[i])
        expected = expected + w[:, i, None, None, None] * out
    torch.testing.assert_close(moe.experts_mix(h, w), expected,
                               rtol=1e-5, atol=1e-6)


def test_routing_depends_on_t_mat_and_features():
    torch.manual_seed(0)
    moe = MoEAdapter(8, num_experts=4, embed_dim=16)
    from mmdiffir.models.conditioning import sinusoidal_embedding
    h = torch.randn(1, 8, 6, 6)
    w4 = moe.routing(h, sinusoidal_embedding(torch.tensor([4]), 16))
    w47 = moe.routing(h, sinusoidal_embedding(torch.tensor([47]), 16))
    w4b = moe.routing(h * 3, sinusoidal_embedding(torch.tensor([4]), 16))
    assert torch.allclose(w4.sum(), torch.tensor(1.0))
    assert not torch.allclose(w4, w47) and not torch.allclose(w4, w4b)


def test_adapters_refuse_a_forward_without_time(registered):
    model = _restorer()
    with pytest.raises(RuntimeError, match='set_time'):
        model.generator(torch.rand(1, 3, 16, 16))
    with pytest.raises(ValueError, match='0..50'):
        model.adapter.set_time(51)


def test_reference_adapter_size_is_about_a_tenth(registered):
    """METHODS.md §1.6: 10 experts after each decoder level of NAFNet-w48
    add ~10% parameters."""
    net = MODELS.build(dict(type='NAFNet', img_channels=3, mid_channels=48,
                            enc_blk_nums=[2, 2, 4, 28], middle_blk_num=6,
                            dec_blk_nums=[2, 2, 2, 2]))
    adapter = TaskAdapter(name_patterns=[r'decoders\.\d+'])
    adapter.attach(net, torch.zeros(1, 3, 32, 32))
    frac = adapter.num_parameters() / sum(p.numel() for p in net.parameters())
    assert 0.09 < frac < 0.11, frac


def test_frozen_backbone_trains_only_the_adapters(real_photos, registered):
    model = _restorer(freeze_backbone=True)
    _open_adapters(model, 0.1)
    frozen = {k: v.clone() for k, v in model.state_dict().items()
              if k.startswith(('generator.', 'conditioner.'))}
    adapters = {k: v.clone() for k, v in model.state_dict().items()
                if k.startswith('adapter.')}
    assert {n.split('.')[0] for n in model._param_names} == {'adapter'}
    optim = build_optim_wrapper(model, dict(
        type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-2,
                                            weight_decay=1e-2)))
    noisy, samples = photo_batch(real_photos)
    batch = dict(inputs=list(noisy * 255), data_samples=[
        DataSample(gt_img=g * 255) for g in samples.gt_img])
    for _ in range(3):
        model.train_step(copy.deepcopy(batch), optim)
    now = model.state_dict()
    for k, v in frozen.items():
        assert torch.equal(now[k], v), k
    assert any(not torch.equal(now[k], v) for k, v in adapters.items())
    with pytest.raises(ValueError, match='no `adapter`'):
        _restorer(adapter=None, freeze_backbone=True)


def test_checkpoint_test_time_model_uses_its_adapters(tmp_path, registered):
    """Save a restorer with trained adapters (every adapter weight moved
    away from its initial value), build the test-time model from the config
    and load the checkpoint the way mmengine's Runner does (non-strict): its
    adapters hold the trained weights, run in the forward pass, and the
    output is the trained model's, not the adapter-less one."""
    from mmengine.runner import load_checkpoint
    trained = _restorer()
    with torch.no_grad():
        g = torch.Generator().manual_seed(1)
        for p in trained.adapter.parameters():
            p.add_(0.3 * torch.randn(p.shape, generator=g))
    torch.save(dict(state_dict=trained.state_dict(), meta={}),
               tmp_path / 'ckpt.pth')
    loaded = _restorer()
    fresh = {k: v.clone() for k, v in loaded.adapter.state_dict().items()}
    load_checkpoint(loaded, str(tmp_path / 'ckpt.pth'), map_location='cpu',
                    strict=False)
    loaded.eval()
    trained.eval()
    want = trained.adapter.state_dict()
    got = loaded.adapter.state_dict()
    assert want.keys() == got.keys() and want
    assert all(torch.equal(got[k], want[k]) for k in want)
    assert all(not torch.equal(fresh[k], want[k]) for k in want)
    calls = []
    handles = [m.register_forward_hook(lambda *a: calls.append(1))
               for m in loaded.adapter.adapters.values()]
    x = torch.rand(1, 3, 24, 24)
    sample = DataSample(metainfo=dict(t_mat=8))
    with torch.no_grad():
        out = loaded.forward_tensor(x, sample)
        assert loaded.adapter.attached
        assert len(calls) == len(loaded.adapter.adapters) > 0
        assert torch.equal(out, trained.forward_tensor(x, sample))
        for h in handles:
            h.remove()
        loaded.adapter.detach()
        loaded.adapter = None
        assert (loaded.forward_tensor(x, sample) - out).abs().max() > 1e-3


def test_multi_task_model_without_t_mat_refuses_untagged_samples(registered):
    """A multi-task model configured without t_mat raises on samples that
    carry none (instead of restoring them as the noise task); with t_mat set
    explicitly that value is the fallback. A single-task model needs one."""
    model = _restorer(t_mat=None).eval()
    x = torch.rand(1, 3, 24, 24)
    with torch.no_grad(), pytest.raises(ValueError, match='t_mat'):
        model.forward_tensor(x, DataSample())
    with torch.no_grad(), pytest.raises(ValueError, match='t_mat'):
        model.forward_tensor(x, None)
    with torch.no_grad():
        tagged = model.forward_tensor(x, DataSample(metainfo=dict(t_mat=8)))
        explicit = _restorer(t_mat=8).eval().forward_tensor(x, DataSample())
    assert torch.equal(tagged, explicit)
    with pytest.raises(ValueError, match='t_mat is required'):
        _restorer(adapter=None, t_mat=None)
