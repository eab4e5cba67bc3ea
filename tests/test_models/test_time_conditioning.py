"""TimeConditioner attached from outside to mmagic's NAFNet, Restormer and
SwinIRNet (METHODS.md §1.1): identity at init, t-dependence and gradients,
backbone state untouched, block selection, freeze_time, clear errors."""
import copy
import pickle

import numpy as np
import pytest
import torch

from mmdiffir.models.conditioning import TimeConditioner

BACKBONES = {
    # name: (config, block class to select, number of such blocks)
    'NAFNet': (dict(type='NAFNet', img_channels=3, mid_channels=8,
                    enc_blk_nums=[1, 1], middle_blk_num=1,
                    dec_blk_nums=[1, 1]), 'NAFBlock', 5),
    'Restormer': (dict(type='Restormer', dim=8, num_blocks=[1, 1, 1, 1],
                       num_refinement_blocks=1, heads=[1, 1, 1, 1]),
                  'TransformerBlock', 8),
    # SwinIR blocks output (B, L, C) tokens, not (B, C, H, W).
    'SwinIRNet': (dict(type='SwinIRNet', embed_dim=12, depths=[2],
                       num_heads=[2], window_size=4, img_size=16, upscale=1,
                       upsampler=''), 'SwinTransformerBlock', 2),
}


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    # Tiny convolutions are dominated by OpenMP hand-offs: on a busy 2-core
    # machine two threads made a 16x16 Restormer pass ~100x slower.
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope='module')
def photos(real_photos):
    """(2, 3, 24, 24) float crops of two real photos in [0, 1]."""
    crops = [np.asarray(p[40:64, 50:74], np.float32) / 255
             for p in real_photos[:2]]
    return torch.from_numpy(np.stack(crops)).permute(0, 3, 1, 2).contiguous()


def build(name):
    from mmdiffir.registry import MODELS
    torch.manual_seed(0)
    return MODELS.build(copy.deepcopy(BACKBONES[name][0])).eval()


def make_cond(name, seed=1, **kwargs):
    torch.manual_seed(seed)
    kwargs.setdefault('block_types', [BACKBONES[name][1]])
    return TimeConditioner(embed_dim=16, num_steps=50, **kwargs)


def perturb(cond, seed=2):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for head in cond.heads.values():
            for p in head[-1].parameters():
                p.copy_(0.1 * torch.randn(p.shape, generator=g))


def snapshot(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


@pytest.mark.parametrize('name', list(BACKBONES))
def test_identity_at_init_then_t_dependent(name, registered, photos):
    net = build(name)
    with torch.no_grad():
        plain = net(photos)
    cond = make_cond(name)
    selected = cond.attach(net, photos[:1])
    assert len(selected) == BACKBONES[name][2]
    with torch.no_grad():
        cond.set_time(torch.randint(1, 51, (2, )))
        assert torch.equal(net(photos), plain)  # zero-init: exactly plain
        cond.set_time(None)
        assert torch.equal(net(photos), plain)

    perturb(cond)
    # still eval(): SwinIRNet's default drop_path makes train() stochastic
    cond.set_time(torch.tensor([4, 4]))
    out4 = net(photos)
    out4.abs().mean().backward()
    # gradients reach the shared time MLP and every head
    assert cond.time_mlp[0].weight.grad.abs().sum() > 0
    assert all(h[-1].weight.grad.abs().sum() > 0 for h in cond.heads.values())
    with torch.no_grad():
        cond.set_time(torch.tensor([38, 38]))
        out38 = net(photos)
        # per-sample times: sample 0 at t=4, sample 1 at t=38
        cond.set_time(torch.tensor([4, 38]))
        mixed = net(photos)
    assert (out4 - out38).abs().max() > 1e-4
    torch.testing.assert_close(mixed[0], out4[0].detach(), atol=1e-5, rtol=0)
    torch.testing.assert_close(mixed[1], out38[1], atol=1e-5, rtol=0)


@pytest.mark.parametrize('name', list(BACKBONES))
def test_backbone_state_untouched_and_detach_restores(name, registered,
                                                      photos):
    net = build(name)
    before = snapshot(net)
    with torch.no_grad():
        plain = net(photos)
    cond = make_cond(name)
    cond.attach(net, photos[:1])
    perturb(cond)
    after_attach = snapshot(net)
    assert list(after_attach) == list(before)
    assert all(torch.equal(before[k], after_attach[k]) for k in before)
    assert not any(k.startswith(('time_mlp', 'heads')) for k in before)

    cond.freeze_time(12)
    with torch.no_grad():
        frozen = net(photos)
        cond.set_time(torch.tensor([12]))  # (1,) broadcasts over the batch
        assert torch.equal(net(photos), frozen)
        cond.set_time(torch.tensor([12, 12]))  # same values, batched matmul
        torch.testing.assert_close(net(photos), frozen, atol=1e-6, rtol=0)
        assert not torch.equal(frozen, plain)

        cond.detach()
        assert not cond.attached
        assert all(not m._forward_hooks and not m._forward_pre_hooks
                   for m in net.modules())
        assert torch.equal(net(photos), plain)  # non-zero heads, no effect
    after_detach = snapshot(net)
    assert list(after_detach) == list(before)
    assert all(torch.equal(before[k], after_detach[k]) for k in before)


def test_name_patterns_select_levels(registered, photos):
    net = build('NAFNet')
    blocks = {n: m for n, m in net.named_modules()
              if type(m).__name__ == 'NAFBlock'}
    raw, seen = {}, {}
    # hooks run in registration order: these see each block's own output...
    for n, m in blocks.items():
        m.register_forward_hook(lambda m, a, o, n=n: raw.__setitem__(n, o))
    enc = make_cond('NAFNet', block_types=None,
                    name_patterns=[r'encoders\.\d+\.\d+'])
    assert enc.attach(net, photos[:1]) == ['encoders.0.0', 'encoders.1.0']
    assert sorted(enc.heads) == ['encoders-0-0', 'encoders-1-0']
    # width inferred per level: 8 then 16 channels -> 2C outputs
    assert [enc.heads[k][-1].out_features for k in sorted(enc.heads)] == \
        [16, 32]
    # ...and these what the network passes on after the conditioner's hook
    for n, m in blocks.items():
        m.register_forward_hook(lambda m, a, o, n=n: seen.__setitem__(n, o))
    perturb(enc)
    enc.set_time(torch.tensor([30, 5]))
    with torch.no_grad():
        net(photos)
    changed = sorted(n for n in blocks if not torch.equal(raw[n], seen[n]))
    assert changed == ['encoders.0.0', 'encoders.1.0']
    enc.detach()
    # both criteria: type AND name (the NAFBlocks of the decoder, not the
    # decoders' Sequential containers that the pattern also matches)
    dec = make_cond('NAFNet', block_types=['NAFBlock'],
                    name_patterns=[r'decoders\..*'])
    assert dec.attach(net) == ['decoders.0.0', 'decoders.1.0']


def test_selection_errors_name_the_config(registered):
    net = build('NAFNet')
    with pytest.raises(ValueError, match=r"NoSuchBlock.*decoderz.*NAFBlock"):
        make_cond('NAFNet', block_types=['NoSuchBlock'],
                  name_patterns=[r'decoderz\.\d+']).attach(net)
    with pytest.raises(ValueError, match='block_types and/or name_patterns'):
        TimeConditioner(block_types=[], name_patterns=None)
    cond = make_cond('NAFNet')
    cond.attach(net)
    with pytest.raises(RuntimeError, match='already attached'):
        cond.attach(net)
    with pytest.raises(ValueError, match='0..50'):
        cond.set_time(torch.tensor([51]))
    with pytest.raises(TypeError, match='integers'):
        cond.set_time(torch.tensor([0.5]))
    cond.set_time(torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match='3 time steps for a batch of 2'):
        net(torch.zeros(2, 3, 16, 16))


def test_picklable_deterministic_and_state_dict_roundtrip(registered,
                                                          photos):
    net, cond = build('SwinIRNet'), make_cond('SwinIRNet')
    cond.attach(net, photos[:1])
    perturb(cond)
    cond.set_time(torch.tensor([8, 22]))
    with torch.no_grad():
        ref = net(photos)
    # the restorer owns both: deep copies (EMA) and pickles keep the hooks
    pair = torch.nn.ModuleDict(dict(backbone=net, cond=cond))
    for clone in (copy.deepcopy(pair), pickle.loads(pickle.dumps(pair))):
        with torch.no_grad():
            assert torch.equal(clone['backbone'](photos), ref)
    # a fresh conditioner from the same config and seed is identical, and
    # loading the trained state_dict after attach reproduces the output
    fresh_net, fresh = build('SwinIRNet'), make_cond('SwinIRNet')
    fresh.attach(fresh_net, photos[:1])
    assert fresh.state_dict().keys() == cond.state_dict().keys()
    fresh.load_state_dict(cond.state_dict())
    fresh.set_time(torch.tensor([8, 22]))
    with torch.no_grad():
        assert torch.equal(fresh_net(photos), ref)
    # init_weights (called by mmengine after a parent's init_cfg) re-zeros
    fresh.init_weights()
    fresh.detach()
    with torch.no_grad():
        plain = fresh_net(photos)
    fresh.attach(fresh_net, photos[:1])
    fresh.set_time(torch.tensor([8, 22]))
    with torch.no_grad():
        assert torch.equal(fresh_net(photos), plain)
