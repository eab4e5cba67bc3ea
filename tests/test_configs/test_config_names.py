"""A config's name tells the truth (issue 14): in
``{method}_{backbone}_{N}xb{B}-lr{lr}-{iters}_{data}.py``, B is the batch per
GPU (``train_dataloader.batch_size``; N, the number of GPUs, is not in the
config), iters is ``train_cfg.max_iters`` and lr the optimizer's learning
rate. A name without one of these fields (``*_official_*``) is checked only
for those it has. Every config under configs/ is checked, every method."""
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config

from tests.helpers import REPO

CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                         recursive=True) if '_base_' not in p)

# 8xb2-lr5e-5-500k: each of -lr... and -iters may be left out
SCHEDULE = re.compile(r'^(?P<gpus>\d+)xb(?P<batch>\d+)'
                      r'(?:-lr(?P<lr>\d+(?:\.\d+)?(?:e-?\d+)?))?'
                      r'(?:-(?P<iters>\d+(?:\.\d+)?)(?P<unit>[km]?))?$')
UNITS = {'': 1, 'k': 1_000, 'm': 1_000_000}


def name_fields(path):
    """{'batch', 'lr', 'iters'} named by a config's file name (those it
    names), or {} when no part of the name is ``NxB...``."""
    stem = osp.splitext(osp.basename(path))[0]
    for part in stem.split('_'):
        m = SCHEDULE.match(part)
        if m:
            fields = {'batch': int(m['batch'])}
            if m['lr']:
                fields['lr'] = float(m['lr'])
            if m['iters']:
                fields['iters'] = round(float(m['iters']) * UNITS[m['unit']])
            return fields
    return {}


def config_lr(cfg):
    """The optimizer's lr; with one optimizer per module (a GAN's
    generator and discriminator), the generator's."""
    optim = cfg.optim_wrapper
    if 'optimizer' not in optim:
        optim = optim['generator']
    return optim['optimizer']['lr']


def test_name_fields_parse_the_conventions():
    assert name_fields('eedtp-gef_nafnet-w48_8xb2-lr5e-5-500k_lolv1.py') == \
        dict(batch=2, lr=5e-5, iters=500_000)
    assert name_fields('x_unet-t16_1xb8-lr5e-4-1500_allinone5-cpu.py') == \
        dict(batch=8, lr=5e-4, iters=1500)
    assert name_fields('x_y_8xb2-lr5e-5-1m_10task.py')['iters'] == 10 ** 6
    assert name_fields('x_y_1xb8-lr1e-3-700_z.py')['iters'] == 700
    assert name_fields('diffir-s2_dirformer-48_official_gopro.py') == {}


@pytest.mark.parametrize('path', CONFIGS,
                         ids=lambda p: osp.relpath(p, REPO))
def test_config_name_agrees_with_its_batch_iterations_and_lr(path):
    fields = name_fields(path)
    if not fields:
        assert '_official_' in osp.basename(path), (
            f'{path}: the name has no NxB-lr...-iters part')
        return
    cfg = Config.fromfile(path)
    name = osp.basename(path)
    assert cfg.train_dataloader.batch_size == fields['batch'], (
        f'{name}: named batch {fields["batch"]} per GPU, '
        f'train_dataloader.batch_size is {cfg.train_dataloader.batch_size}')
    if 'iters' in fields:
        assert cfg.train_cfg.max_iters == fields['iters'], (
            f'{name}: named {fields["iters"]} iterations, '
            f'train_cfg.max_iters is {cfg.train_cfg.max_iters}')
    if 'lr' in fields:
        assert config_lr(cfg) == pytest.approx(fields['lr'], rel=1e-9), (
            f'{name}: named lr {fields["lr"]}, the optimizer has '
            f'{config_lr(cfg)}')
