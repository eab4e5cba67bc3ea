"""Folding the constant-t modulation into conv / linear weights: exact, and
the weights come back bit-identical."""
import pytest
import torch

from mmdiffir.registry import MODELS
from .eedtp_fixtures import photo_batch

NETS = {
    'NAFNet-conv5': (dict(type='NAFNet', img_channels=3, mid_channels=8,
                          enc_blk_nums=[1, 1], middle_blk_num=1,
                          dec_blk_nums=[1, 1]), [r'.*\.conv5']),
    'SwinIR-fc2': (dict(type='SwinIRNet', embed_dim=12, depths=[2],
                        num_heads=[2], window_size=4, img_size=16, upscale=1,
                        upsampler='', drop_path_rate=0.0), [r'.*mlp\.fc2']),
}


def _conditioned(name, x):
    torch.manual_seed(0)
    cfg, patterns = NETS[name]
    net = MODELS.build(cfg).eval()
    with torch.no_grad():  # NAFNet starts its residual gains at 0: as trained
        for pname, p in net.named_parameters():
            if pname.endswith(('beta', 'gamma')):
                p.normal_(std=0.5)
    cond = MODELS.build(dict(type='TimeConditioner', embed_dim=16,
                             name_patterns=patterns))
    cond.attach(net, x[:1])
    with torch.no_grad():
        for head in cond.heads.values():
            head[-1].weight.normal_(std=0.1)
            head[-1].bias.normal_(std=0.1)
    return net, cond


@pytest.mark.parametrize('name', list(NETS))
def test_fold_is_exact_and_reversible(name, registered, real_photos):
    x, _ = photo_batch(real_photos)
    net, cond = _conditioned(name, x)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    with torch.no_grad():
        plain = net(x)
        cond.freeze_time(12)
        hooked = net(x)
        assert cond.fold()
        folded = net(x)
        changed = [k for k, v in net.state_dict().items()
                   if not torch.equal(v, before.get(k, v))]
        cond.set_time(None)  # unfolds
        after = net(x)
    assert not torch.allclose(hooked, plain)
    torch.testing.assert_close(folded, hooked, atol=1e-5, rtol=1e-5)
    assert changed, 'fold() changed no weight'
    assert net.state_dict().keys() == before.keys()
    assert all(torch.equal(net.state_dict()[k], before[k]) for k in before)
    assert torch.equal(after, plain)


def test_block_outputs_are_not_folded(registered, real_photos):
    x, _ = photo_batch(real_photos)
    net = MODELS.build(NETS['NAFNet-conv5'][0]).eval()
    cond = MODELS.build(dict(type='TimeConditioner', embed_dim=16,
                             block_types=['NAFBlock']))
    cond.attach(net, x[:1])
    cond.freeze_time(4)
    assert cond.fold() is False
    with pytest.raises(RuntimeError, match='freeze_time'):
        cond.set_time(None)
        cond.fold()


def test_restorer_inference_folds_and_restores(registered, real_photos):
    noisy, samples = photo_batch(real_photos)
    cfg, patterns = NETS['NAFNet-conv5']
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='EEDTPRestorer', generator=cfg, t_mat=20,
        conditioner=dict(type='TimeConditioner', embed_dim=16,
                         name_patterns=patterns),
        data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.],
                               std=[255., 255., 255.]))).eval()
    with torch.no_grad():
        for head in model.conditioner.heads.values():
            head[-1].weight.normal_(std=0.1)
        for pname, p in model.generator.named_parameters():
            if pname.endswith(('beta', 'gamma')):
                p.normal_(std=0.5)
        weights = {k: v.clone() for k, v in model.generator.state_dict()
                   .items()}
        out = model.forward_tensor(noisy, samples)
        ref = model.restore(noisy, torch.full((2,), 20))
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-5)
    assert all(torch.equal(v, weights[k])
               for k, v in model.generator.state_dict().items())
