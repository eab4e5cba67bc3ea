"""The default EEDTP configs modulate the normalised features inside each
block (the reference's placement), and at inference that modulation folds
exactly into the weights."""
import pytest
import torch
from mmengine.config import Config

from mmdiffir.registry import MODELS
from .eedtp_fixtures import photo_batch

GEF_CPU = {
    'NAFNet': ('configs/eedtp/eedtp-gef_nafnet-w16-tiny_1xb4-lr1e-3-1k_'
               't91-denoise-cpu.py', 'NAFBlock', 'LayerNorm2d'),
    'Restormer': ('configs/eedtp/eedtp-gef_restormer-tiny_1xb4-lr1e-3-1k_'
                  't91-denoise-cpu.py', 'TransformerBlock', 'LayerNorm'),
    'SwinIR': ('configs/eedtp/eedtp-gef_swinir-tiny_1xb4-lr1e-3-1k_'
               't91-denoise-cpu.py', 'SwinTransformerBlock', 'LayerNorm'),
}


def _model(name, perturb=True):
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(GEF_CPU[name][0]).model).eval()
    if perturb:  # as after training: non-zero heads and residual gains
        with torch.no_grad():
            for head in model.conditioner.heads.values():
                head[-1].weight.normal_(std=0.05)
                head[-1].bias.normal_(std=0.1)
            for pname, p in model.generator.named_parameters():
                if pname.endswith(('beta', 'gamma')):
                    p.normal_(std=0.5)
    return model


@pytest.mark.parametrize('name', list(GEF_CPU))
def test_default_conditioner_hooks_norms_inside_blocks(name, registered):
    _, block_type, norm_type = GEF_CPU[name]
    model = _model(name, perturb=False)
    modules = dict(model.generator.named_modules())
    blocks = [n for n, m in modules.items()
              if type(m).__name__ == block_type]
    hooked = model.conditioner.selected
    assert hooked and all(type(modules[n]).__name__ == norm_type
                          for n in hooked)
    # exactly the norm1/norm2 of every block, nothing outside a block
    expected = sorted(f'{b}.{k}' for b in blocks for k in ('norm1', 'norm2'))
    assert sorted(hooked) == expected


@pytest.mark.parametrize('name', list(GEF_CPU))
def test_norm_modulation_folds_exactly(name, registered, real_photos):
    noisy, samples = photo_batch(real_photos)
    model = _model(name)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with torch.no_grad():
        unfolded = model.restore(noisy, torch.full((2, ), model.t_mat))
        plain = model.restore(noisy, None)
        model.conditioner.freeze_time(model.t_mat)
        assert model.conditioner.fold()
        changed = [k for k, v in model.state_dict().items()
                   if not torch.equal(v, before.get(k, v))]
        folded = model.generator(noisy)
        model.conditioner.set_time(None)
        out = model.forward_tensor(noisy, samples)  # the test-time path
    assert changed, 'fold() changed no weight'
    assert (unfolded - plain).abs().max() > 1e-3  # the modulation acts
    assert (folded - unfolded).abs().max() <= 1e-5
    assert (out - unfolded).abs().max() <= 1e-5
    after = model.state_dict()
    assert after.keys() == before.keys()
    assert all(torch.equal(after[k], before[k]) for k in before)
