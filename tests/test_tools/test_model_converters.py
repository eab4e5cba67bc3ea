"""tools/model_converters: released DiffIR / DiffUIR checkpoints, built here
in the official layout from manifests of the released files' key names and
shapes (tests/data/model_converters, dumped from the reference networks),
converted, loaded strictly into the config's model and run once."""
import gzip
import json
import os.path as osp
from pathlib import Path

import pytest
import torch
from mmengine.runner import load_checkpoint

from mmdiffir.models.diffusion import residual_schedule, sqrt_linear_betas
from tests.helpers import REPO, load_tool

TOOLS = Path(REPO) / 'tools' / 'model_converters'
DATA = Path(REPO) / 'tests' / 'data' / 'model_converters'
DIFFIR_CFG = {
    'diffir_deblur_s2': 'diffir-s2_dirformer-48_official_gopro.py',
    'diffir_srx4_s2': 'diffir-s2gan_dirformer-64-x4_official_df2k.py',
    'diffir_deblur_s1': 'diffir-s1_dirformer-48_8xb8-lr2e-4-300k_gopro.py',
}
DIFFUIR_CFG = {s: f'diffuir_unet-{s.lower()}_1xb10-lr8e-5-600k_universal5.py'
               for s in 'TSBL'}


diffir_cvt = load_tool('tools/model_converters/diffir_to_mmdiffir.py')
diffuir_cvt = load_tool('tools/model_converters/diffuir_to_mmdiffir.py')


def _manifest(name):
    with gzip.open(DATA / f'{name}_released_keys.json.gz', 'rt') as f:
        return json.load(f)


def _random_state(manifest, seed):
    gen = torch.Generator().manual_seed(seed)
    return {k: 0.02 * torch.randn(shape, generator=gen)
            for k, shape in manifest}


def _diffir_official(name, seed=0):
    """A BasicSR network state in the released layout: the DDPM's duplicated
    denoiser / CPEN equal to the originals, the real betas."""
    state = _random_state(_manifest('diffir')[name], seed)
    for key in list(state):
        for dup, twin in diffir_cvt.DUPLICATES.items():
            if key.startswith(dup):
                state[key] = state[twin + key[len(dup):]].clone()
    if 'diffusion.betas' in state:
        state['diffusion.betas'] = sqrt_linear_betas(4, 0.1, 0.99).float()
    return state


def _diffuir_official(size, seed=0):
    """A ResidualDiffusion state in the released layout (float32 tables)."""
    state = _random_state(_manifest('diffuir')[f'diffuir_{size}'], seed)
    tables = residual_schedule(1000, delta_end=1.8e-3)
    state['alphas_cumsum'] = tables['abar'].float()
    state['delta_cumsum'] = tables['dbar'].float()
    return state


def _cfg(folder, name):
    return osp.join(REPO, 'configs', folder, name)


def _built(cfg_path, ckpt):
    """The config's model with the converted file loaded strictly."""
    model = diffir_cvt.build_model(cfg_path, {'model.s1': None,
                                              'model.s1_checkpoint': None}
                                   if 'official' in cfg_path else None)
    load_checkpoint(model, str(ckpt), map_location='cpu', strict=True)
    return model.eval()


@pytest.mark.parametrize('name', ['diffir_deblur_s2', 'diffir_srx4_s2'])
def test_released_diffir_s2_converts_loads_strictly_and_restores(
        registered, tmp_path, name):
    ema, live = _diffir_official(name, 0), _diffir_official(name, 1)
    src, out = tmp_path / 'net_g.pth', tmp_path / 'mmdiffir.pth'
    # BasicSR layout; the EMA weights saved from a DDP-wrapped network
    torch.save({'params': live,
                'params_ema': {'module.' + k: v for k, v in ema.items()}},
               src)
    cfg = _cfg('diffir', DIFFIR_CFG[name])
    diffir_cvt.main([str(src), str(out), '--config', cfg])
    ckpt = torch.load(out, map_location='cpu', weights_only=False)
    dropped = ckpt['meta']['dropped_keys']
    assert 'diffusion.betas' in dropped
    assert any(k.startswith('diffusion.model.') for k in dropped)
    model = _built(cfg, out)
    assert model.s1 is None  # no released S1: none is needed to restore
    # params_ema was preferred over params
    assert torch.equal(model.generator.dirformer.patch_embed.proj.weight,
                       ema['G.patch_embed.proj.weight'])
    assert torch.equal(model.generator.denoiser.mlp[2].weight,
                       ema['denoise.resmlp.2.resmlp.0.weight'])
    scale = model.generator.scale
    with torch.no_grad():
        restored = model(torch.rand(1, 3, 12, 12), mode='tensor')
    assert restored.shape == (1, 3, 12 * scale, 12 * scale)
    assert torch.isfinite(restored).all()


def test_released_diffir_s1_converts_into_the_stage1_config(registered,
                                                           tmp_path):
    state = _diffir_official('diffir_deblur_s1')
    src, out = tmp_path / 's1.pth', tmp_path / 'out.pth'
    torch.save({'params': state}, src)
    cfg = _cfg('diffir', DIFFIR_CFG['diffir_deblur_s1'])
    diffir_cvt.main([str(src), str(out), '--config', cfg])
    model = _built(cfg, out)
    assert torch.equal(model.generator.cpen.encoder[0].weight,
                       state['E.E.0.weight'])


def test_diffir_renamed_or_missing_key_is_an_error_naming_it(registered,
                                                            tmp_path):
    cfg = _cfg('diffir', DIFFIR_CFG['diffir_deblur_s2'])
    state = _diffir_official('diffir_deblur_s2')
    renamed = dict(state)
    renamed['G.latent.0.attn.kernel_renamed.weight'] = renamed.pop(
        'G.latent.0.attn.kernel.0.weight')
    torch.save({'params_ema': renamed}, tmp_path / 'renamed.pth')
    with pytest.raises(KeyError, match=r'latent\.0\.attn\.kernel_renamed'):
        diffir_cvt.main([str(tmp_path / 'renamed.pth'),
                         str(tmp_path / 'a.pth'), '--config', cfg])
    missing = dict(state)
    del missing['denoise.resmlp.0.bias']
    del missing['diffusion.model.resmlp.0.bias']
    torch.save({'params_ema': missing}, tmp_path / 'missing.pth')
    with pytest.raises(KeyError, match=r'generator\.denoiser\.mlp\.0\.bias'):
        diffir_cvt.main([str(tmp_path / 'missing.pth'),
                         str(tmp_path / 'b.pth'), '--config', cfg])
    assert not (tmp_path / 'a.pth').exists()
    assert not (tmp_path / 'b.pth').exists()
    torch.save({'net': state}, tmp_path / 'other.pth')
    with pytest.raises(KeyError, match="no 'params_ema' or 'params'"):
        diffir_cvt.main([str(tmp_path / 'other.pth'),
                         str(tmp_path / 'c.pth'), '--config', cfg])


@pytest.mark.parametrize('size', ['T', 'S', 'B', 'L'])
def test_released_diffuir_converts_loads_strictly_and_restores(
        registered, tmp_path, size):
    ema, live = _diffuir_official(size, 0), _diffuir_official(size, 1)
    src, out = tmp_path / 'model-300.pt', tmp_path / 'mmdiffir.pth'
    # the reference trainer's file; ema_pytorch registers the online model
    ema_state = {'initted': torch.tensor([1.]), 'step': torch.tensor([7])}
    ema_state.update({'ema_model.' + k: v for k, v in ema.items()})
    ema_state.update({'online_model.' + k: v for k, v in live.items()})
    torch.save({'step': 300, 'model': live, 'opt0': {}, 'ema': ema_state,
                'scaler': None}, src)
    cfg = _cfg('diffuir', DIFFUIR_CFG[size])
    diffuir_cvt.main([str(src), str(out), '--config', cfg])
    model = _built(cfg, out)
    # the EMA weights by default
    assert torch.equal(model.generator.init_conv.weight,
                       ema['model.unet0.init_conv.weight'])
    assert model.schedule.clip_residual  # the released sampler
    with torch.no_grad():
        restored = model(torch.rand(1, 3, 16, 16) * 2 - 1, mode='tensor')
    assert restored.shape == (1, 3, 16, 16)
    assert torch.isfinite(restored).all()


def test_diffuir_model_weights_and_key_errors(registered, tmp_path):
    cfg = _cfg('diffuir', DIFFUIR_CFG['T'])
    state = _diffuir_official('T')
    torch.save({'model': state, 'step': 1}, tmp_path / 'm.pt')
    diffuir_cvt.main([str(tmp_path / 'm.pt'), str(tmp_path / 'o.pth'),
                      '--config', cfg, '--weights', 'model'])
    _built(cfg, tmp_path / 'o.pth')
    with pytest.raises(KeyError, match="no 'ema' entry"):
        diffuir_cvt.main([str(tmp_path / 'm.pt'), str(tmp_path / 'x.pth'),
                          '--config', cfg])
    renamed = dict(state)
    renamed['model.unet0.final_convX.weight'] = renamed.pop(
        'model.unet0.final_conv.weight')
    torch.save({'model': renamed}, tmp_path / 'r.pt')
    with pytest.raises(KeyError, match=r'final_convX\.weight'):
        diffuir_cvt.main([str(tmp_path / 'r.pt'), str(tmp_path / 'y.pth'),
                          '--config', cfg, '--weights', 'model'])
    missing = dict(state)
    del missing['model.unet0.mid_attn.fn.norm.g']
    torch.save({'model': missing}, tmp_path / 'n.pt')
    with pytest.raises(KeyError, match=r'generator\.mid_attn\.norm\.g'):
        diffuir_cvt.main([str(tmp_path / 'n.pt'), str(tmp_path / 'z.pth'),
                          '--config', cfg, '--weights', 'model'])


def test_converter_command_lines_run_outside_pytest(tmp_path):
    """The scripts as users call them: --help, and a conversion in a fresh
    process (no registry scope set up by the test session)."""
    import subprocess
    import sys
    env = dict(__import__('os').environ, PYTHONPATH=REPO)
    for name in ('diffir_to_mmdiffir', 'diffuir_to_mmdiffir'):
        run = subprocess.run([sys.executable, str(TOOLS / f'{name}.py'),
                              '--help'], capture_output=True, text=True,
                             env=env, check=True)
        assert 'Dropped knowingly' in run.stdout
    torch.save({'ema': {'ema_model.' + k: v
                        for k, v in _diffuir_official('T').items()}},
               tmp_path / 'model-1.pt')
    run = subprocess.run(
        [sys.executable, str(TOOLS / 'diffuir_to_mmdiffir.py'),
         str(tmp_path / 'model-1.pt'), str(tmp_path / 'out.pth'),
         '--config', _cfg('diffuir', DIFFUIR_CFG['T'])],
        capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / 'out.pth').is_file()


@pytest.mark.parametrize('kind', ['diffir', 'diffuir'])
def test_inferencer_restores_with_a_converted_release(registered, tmp_path,
                                                      kind):
    """The inferencer (which refuses missing parameters and unknown keys)
    takes the converted file as is."""
    import numpy as np

    from mmdiffir.apis import RestorationInferencer
    src, out = tmp_path / 'src.pth', tmp_path / 'out.pth'
    if kind == 'diffir':
        cfg = _cfg('diffir', DIFFIR_CFG['diffir_deblur_s2'])
        torch.save({'params_ema': _diffir_official('diffir_deblur_s2')}, src)
        diffir_cvt.main([str(src), str(out), '--config', cfg])
    else:
        cfg = _cfg('diffuir', DIFFUIR_CFG['T'])
        torch.save({'model': _diffuir_official('T')}, src)
        diffuir_cvt.main([str(src), str(out), '--config', cfg,
                          '--weights', 'model'])
    inferencer = RestorationInferencer(cfg, str(out), device='cpu')
    img = np.random.default_rng(0).integers(0, 256, (16, 16, 3), np.uint8)
    restored = inferencer.restore_array(img)
    assert restored.shape == img.shape
    assert np.isfinite(restored).all()
    assert restored.min() >= 0 and restored.max() <= 255
