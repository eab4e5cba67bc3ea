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
from mmdiffir.models.conditioning.winograd_conv import nnpack_usable
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


def _separate_experts(moe, h, w):
    """The reference formulation: sum_i w_i E_i(h), each expert its own
    conv3x3 - GELU - conv3x3 - GELU - conv1x1 taken from the fused
    parameters, one after the other."""
    m = moe.hidden
    mixed = 0
    for i in range(moe.num_experts):
        sl = slice(i * m, (i + 1) * m)
        z = F.gelu(F.conv2d(h, moe.conv_in.weight[sl], moe.conv_in.bias[sl],
                            padding=1))
        z = F.gelu(F.conv2d(z, moe.conv_mid.weight[sl],
                            moe.conv_mid.bias[sl], padding=1))
        out = F.conv2d(z, moe.proj_weight[:, sl], moe.proj_bias[i])
        mixed = mixed + w[:, i, None, None, None] * out
    return mixed


def test_fused_experts_equal_separate_experts():
    torch.manual_seed(0)
    c, n, r = 8, 3, 2
    moe = MoEAdapter(c, num_experts=n, reduction=r, embed_dim=16)
    h = torch.randn(2, c, 10, 10)
    w = torch.softmax(torch.randn(2, n), dim=1)
    torch.testing.assert_close(moe.experts_mix(h, w),
                               _separate_experts(moe, h, w),
                               rtol=1e-5, atol=1e-6)


@pytest.fixture
def count_nnpack(monkeypatch):
    """The shapes of the inputs that reach NNPACK's convolution (none where
    this PyTorch build or CPU has no NNPACK: there the Winograd path is
    F.conv2d)."""
    calls, real = [], torch._nnpack_spatial_convolution

    def counted(x, *args):
        calls.append(tuple(x.shape))
        return real(x, *args)
    monkeypatch.setattr(torch, '_nnpack_spatial_convolution', counted)
    return calls


def _default_moe(channels):
    """An adapter of the default configuration (10 experts of width C/4,
    embedding 64: MoEAdapter's defaults, those of
    configs/_base_/eedtp_mtul{,_5task}.py), every weight moved off its
    initial value (scale 0 would hide the experts)."""
    torch.manual_seed(0)
    moe = MoEAdapter(channels)
    assert (moe.num_experts, moe.hidden) == (10, channels // 4)
    with torch.no_grad():
        for p in moe.parameters():
            p.add_(0.1 * torch.randn(p.shape))
        moe.scale.fill_(0.7)
    return moe


@pytest.mark.parametrize('channels', [48, 96])
@pytest.mark.parametrize('train', [False, True])
@pytest.mark.parametrize('winograd', [True, False])
def test_inference_path_equals_separate_experts(channels, train, winograd,
                                                count_nnpack):
    """Without autograd the adapter takes mix_no_grad (per-expert middle
    convs, mixture and scale folded into the last 1x1 conv): the same
    function as the per-expert loop, for a batch of 3 samples at 3
    different tasks, in eval and train mode (no layer depends on it). By
    default (winograd) its 3x3 convs go through NNPACK, whose rounding is
    about 1e-5 of the magnitude (here the weights are far larger than at
    initialisation): within 1e-5 of the largest output; with direct convs
    within 1e-5 everywhere."""
    from mmdiffir.models.conditioning import sinusoidal_embedding
    moe = _default_moe(channels).train(train)
    if not winograd:
        moe.winograd = False
    h = torch.randn(3, channels, 19, 22)
    emb = sinusoidal_embedding(torch.tensor([4, 8, 47]), 64)
    w = moe.routing(h, emb)
    assert not torch.allclose(w[0], w[1]) and not torch.allclose(w[1], w[2])
    with torch.no_grad():
        want = h + moe.scale * _separate_experts(moe, h, w)
        count_nnpack.clear()
        got = moe(h, emb)
        # the first conv and one middle conv per expert, by NNPACK
        assert len(count_nnpack) == (1 + moe.num_experts) * (
            winograd and nnpack_usable())
        again = moe.mix_no_grad(h, w)
    assert torch.equal(got, again)
    tol = 1e-5 * want.abs().max().item() if winograd else 1e-5
    assert (got - want).abs().max() <= tol
    if not winograd:
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)
    assert (got - h).abs().max() > 0.1  # the experts contribute


def test_training_path_values_and_gradients_equal_separate_experts():
    """With autograd the adapter takes experts_mix: outputs and the
    gradients of every parameter and of the input equal the per-expert
    loop's."""
    from mmdiffir.models.conditioning import sinusoidal_embedding
    moe = _default_moe(48).train()
    emb = sinusoidal_embedding(torch.tensor([4, 47]), 64)
    h = torch.randn(2, 48, 12, 9, requires_grad=True)
    target = torch.randn(2, 48, 12, 9)
    grads = []
    for fn in (lambda: moe(h, emb), lambda: h + moe.scale * _separate_experts(
            moe, h, moe.routing(h, emb))):
        moe.zero_grad()
        h.grad = None
        out = fn()
        ((out - target)**2).mean().backward()
        grads.append((out.detach(), h.grad.clone(),
                      {k: p.grad.clone() for k, p in moe.named_parameters()}))
    (o1, g1, p1), (o2, g2, p2) = grads
    torch.testing.assert_close(o1, o2, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(g1, g2, rtol=1e-5, atol=1e-7)
    assert p1.keys() == p2.keys()
    for k in p1:
        torch.testing.assert_close(p1[k], p2[k], rtol=1e-5, atol=1e-7,
                                   msg=k)


def test_network_with_adapters_same_output_with_and_without_autograd(
        registered, count_nnpack):
    """Through the hooks of a NAFNet with the default adapters, a batch of
    two tasks: the no-grad pass (inference path, Winograd 3x3 convs) equals
    the autograd pass (training path) to 1e-5."""
    net = MODELS.build(dict(type='NAFNet', img_channels=3, mid_channels=16,
                            enc_blk_nums=[1, 1], middle_blk_num=1,
                            dec_blk_nums=[1, 1])).eval()
    adapter = TaskAdapter(name_patterns=[r'decoders\.\d+'])
    adapter.attach(net, torch.zeros(1, 3, 16, 16))
    _open_adapters(type('M', (), {'adapter': adapter}), 0.8)
    adapter.set_time(torch.tensor([4, 47]))
    x = torch.rand(2, 3, 20, 28)
    with torch.no_grad():
        count_nnpack.clear()
        fast = net(x)
        # 2 levels, the first and 10 middle 3x3 convs each by Winograd
        assert len(count_nnpack) == 2 * (1 + 10) * nnpack_usable()
    slow = net(x)
    assert slow.requires_grad
    torch.testing.assert_close(fast, slow.detach(), rtol=1e-5, atol=1e-5)
    adapter.detach()
    with torch.no_grad():
        assert (fast - net(x)).abs().max() > 1e-3


def test_adapter_state_dict_layout_unchanged():
    """Checkpoints keep loading: the parameter names and shapes of an
    adapter at C=48 (10 experts of width 12, embedding 64, router width 64)
    are those the adapters have been saved with, and such a state_dict
    loads with strict=True into the adapter it came from."""
    layout = {
        'conv_in.weight': (120, 48, 3, 3), 'conv_in.bias': (120, ),
        'conv_mid.weight': (120, 12, 3, 3), 'conv_mid.bias': (120, ),
        'proj_weight': (48, 120, 1, 1), 'proj_bias': (10, 48),
        'router.0.weight': (64, 112), 'router.0.bias': (64, ),
        'router.2.weight': (10, 64), 'router.2.bias': (10, ),
        'scale': ()
    }
    moe = MoEAdapter(48)
    assert {k: tuple(v.shape) for k, v in moe.state_dict().items()} == layout
    torch.manual_seed(3)
    saved = {k: torch.randn(s) for k, s in layout.items()}
    moe.load_state_dict(saved, strict=True)
    assert all(torch.equal(moe.state_dict()[k], v) for k, v in saved.items())


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
