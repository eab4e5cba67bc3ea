"""DiffIR's networks: the reference parameter count, CPEN input layouts per
task, IPR modulation, SR tail, the denoiser's input and clear errors."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmdiffir.registry import MODELS
from tests.helpers import REPO

DEBLUR_S2 = osp.join(REPO, 'configs/diffir/'
                     'diffir-s2_dirformer-48_8xb8-lr2e-4-400k_gopro.py')
TINY = dict(type='DIRformer', dim=8, num_blocks=[1, 1, 1, 1],
            num_refinement_blocks=1, heads=[1, 1, 2, 2],
            ffn_expansion_factor=2.0)


def _count(module):
    return sum(p.numel() for p in module.parameters())


def test_deblur_s2_network_has_the_reference_parameter_count(registered):
    """Counted: the stage-2 network as the reference's ``DiffIRS2`` arch -
    DIRformer (G) + CPEN_S2 (condition) + the MLP denoiser - built from the
    GoPro config. Not counted: the frozen stage-1 teacher (a separate
    network in the reference too) and the schedule's buffers."""
    cfg = Config.fromfile(DEBLUR_S2)
    model = MODELS.build(cfg.model)
    assert _count(model.generator) == 26_911_934
    parts = {k: _count(getattr(model.generator, k))
             for k in ('dirformer', 'cpen', 'denoiser')}
    # CPEN_S2: 48 input channels (unshuffle4 of RGB), 5 res-blocks
    assert model.generator.cpen.encoder[0].in_channels == 48
    # denoiser: Linear(513 -> 256) + Linear(256 -> 256)
    assert parts['denoiser'] == 513 * 256 + 256 + 256 * 256 + 256
    assert sum(parts.values()) == 26_911_934
    # every CPEN activation, res-blocks included, is LeakyReLU(0.1) as in
    # all released variants
    acts = [m for _, m in model.generator.cpen.named_modules(
                remove_duplicate=False)
            if not list(m.children()) and not list(m.parameters())
            and not isinstance(m, torch.nn.AdaptiveAvgPool2d)]
    assert len(acts) == 1 + 5 + 3 + 2
    assert all(isinstance(m, torch.nn.LeakyReLU) and m.negative_slope == 0.1
               for m in acts)
    # the teacher is the stage-1 network: CPEN_S1 sees 96 channels
    assert model.s1.cpen.encoder[0].in_channels == 96
    assert not any(p.requires_grad for p in model.s1.parameters())


@pytest.mark.parametrize('kw,channels', [
    (dict(gt_channels=3), 96),  # deblur S1
    (dict(), 48),  # deblur S2
    (dict(lq_unshuffle=1, gt_channels=3), 51),  # SR S1 (LR + unshuffle4 HR)
    (dict(lq_unshuffle=1), 3),  # SR S2
])
def test_cpen_layouts(registered, kw, channels):
    cpen = MODELS.build(dict(type='CPEN', n_encoder_res=1, **kw))
    assert cpen.encoder[0].in_channels == channels
    lq = torch.rand(2, 3, 16, 16)
    gt = torch.rand(2, 3, 16 * (4 if kw.get('lq_unshuffle') == 1 else 1),
                    16 * (4 if kw.get('lq_unshuffle') == 1 else 1))
    z = cpen(lq, gt if kw.get('gt_channels') else None)
    assert z.shape == (2, 256)


def test_cpen_errors(registered):
    cpen = MODELS.build(dict(type='CPEN', gt_channels=3, n_encoder_res=1))
    with pytest.raises(ValueError, match='needs the GT'):
        cpen(torch.rand(1, 3, 16, 16))
    with pytest.raises(ValueError, match='does not match'):
        cpen(torch.rand(1, 3, 16, 16), torch.rand(1, 3, 32, 32))
    with pytest.raises(ValueError, match='lq_unshuffle'):
        MODELS.build(dict(type='CPEN', lq_unshuffle=0))


def test_dirformer_is_modulated_by_the_ipr_and_sr_tail(registered):
    torch.manual_seed(0)
    net = MODELS.build(TINY).eval()
    x, z = torch.rand(1, 3, 16, 24), torch.randn(1, 256)
    with torch.no_grad():
        a, b = net(x, z), net(x, z * 2)
    assert a.shape == x.shape and not torch.allclose(a, b)
    # every block's attention and FFN carries a Linear(256 -> 2C) without bias
    mods = [m for n, m in net.named_modules() if n.endswith('modulation')]
    assert len(mods) == 2 * (1 + 1 + 1 + 1 + 1 + 1 + 1 + 1)
    assert all(m.in_features == 256 and m.bias is None for m in mods)
    sr = MODELS.build(dict(TINY, scale=4)).eval()
    with torch.no_grad():
        assert sr(x, z).shape == (1, 3, 64, 96)
    with pytest.raises(ValueError, match='divisible by 8'):
        net(torch.rand(1, 3, 12, 16), z)
    with pytest.raises(ValueError, match='num_blocks'):
        MODELS.build(dict(TINY, num_blocks=[1, 1, 1]))


def test_denoiser_input_is_condition_time_over_10T_and_zt(registered):
    den = MODELS.build(dict(type='IPRDenoiser', T=4))
    seen = {}
    den.mlp[0].register_forward_hook(
        lambda m, i, o: seen.update(x=i[0].detach()))
    c, zt = torch.randn(2, 256), torch.randn(2, 256)
    out = den(zt, torch.tensor([3, 1]), c)
    assert out.shape == (2, 256)
    x = seen['x']
    torch.testing.assert_close(x[:, :256], c)
    torch.testing.assert_close(x[:, 256], torch.tensor([3 / 40, 1 / 40]))
    torch.testing.assert_close(x[:, 257:], zt)


def test_nets_pad_any_size_and_check_their_cpen(registered):
    s2 = MODELS.build(dict(
        type='DiffIRS2Net', cpen=dict(type='CPEN', n_encoder_res=1),
        denoiser=dict(type='IPRDenoiser'), dirformer=TINY)).eval()
    with torch.no_grad():
        out, z = s2(torch.rand(1, 3, 21, 30))
    assert out.shape == (1, 3, 21, 30) and z.shape == (1, 256)
    with pytest.raises(ValueError, match='gt_channels must be 0'):
        MODELS.build(dict(type='DiffIRS2Net',
                          cpen=dict(type='CPEN', gt_channels=3),
                          denoiser=dict(type='IPRDenoiser'), dirformer=TINY))
    with pytest.raises(ValueError, match='denoiser.T'):
        MODELS.build(dict(type='DiffIRS2Net', cpen=dict(type='CPEN'),
                          denoiser=dict(type='IPRDenoiser', T=5),
                          dirformer=TINY))
    s1 = MODELS.build(dict(type='DiffIRS1Net',
                           cpen=dict(type='CPEN', gt_channels=3,
                                     lq_unshuffle=1, n_encoder_res=1),
                           dirformer=dict(TINY, scale=4))).eval()
    with torch.no_grad():
        out, _ = s1(torch.rand(1, 3, 13, 10), torch.rand(1, 3, 52, 40))
    assert out.shape == (1, 3, 52, 40)
