"""The config layers of issue 14 hold each fact once: a backbone file per
backbone size (its generator and what the methods need to know about it),
method bases that take the generator from there, schedules per length, and
GEF recipes that bring the importance hook L_reg needs."""
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config

from tests.helpers import REPO

BASE = osp.join(REPO, 'configs', '_base_')
BACKBONES = sorted(glob.glob(osp.join(BASE, 'backbones', '*.py')))
# models/<method>_<backbone>.py: a method on one backbone file
COMBOS = sorted(p for p in glob.glob(osp.join(BASE, 'models', '*_*.py')))
SCHEDULES = sorted(glob.glob(osp.join(BASE, 'schedules', '*.py')))
CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                         recursive=True) if '_base_' not in p)
# the folders whose leaves take their network from a backbone file
LAYERED = [p for p in CONFIGS
           if osp.basename(osp.dirname(p)) in ('eedtp', 'baselines', 'demo',
                                                'diffir', 'diffuir')]


def _rel(p):
    return osp.relpath(p, REPO)


def test_layers_found():
    names = {osp.splitext(osp.basename(p))[0] for p in BACKBONES}
    assert {'nafnet-w48', 'nafnet-w32', 'nafnet-tiny', 'restormer',
            'restormer-tiny', 'swinir-m', 'swinir-tiny', 'dirformer-48',
            'dirformer-52', 'dirformer-64-x4', 'dirformer-tiny',
            'dirformer-tiny-x4', 'unet-l', 'unet-b', 'unet-s', 'unet-t',
            'unet-t16'} <= names
    assert len(COMBOS) >= 23 and LAYERED


@pytest.mark.parametrize('path', BACKBONES, ids=_rel)
def test_backbone_file_defines_a_generator_and_no_model(path):
    cfg = Config.fromfile(path)
    assert 'model' not in cfg  # two bases may not both define it
    assert isinstance(cfg.generator.get('type'), str)


@pytest.mark.parametrize('path', COMBOS, ids=_rel)
def test_method_base_takes_its_network_from_the_backbone_file(path):
    method, backbone = osp.splitext(osp.basename(path))[0].split('_', 1)
    bb = Config.fromfile(osp.join(BASE, 'backbones', backbone + '.py'))
    model = Config.fromfile(path).model
    assert model.generator == bb.generator
    for k, v in bb.input_padding.items():
        assert model.data_preprocessor[k] == v
    if method == 'eedtp':
        for k, v in bb.time_conditioning.items():
            assert model.conditioner[k] == v


@pytest.mark.parametrize('path', LAYERED, ids=_rel)
def test_leaf_configs_restate_no_generator(path):
    with open(path) as f:
        text = f.read()
    # (a generator swapped with _delete_ would be written here too)
    for name in ('generator', 'network_g'):
        assert f'{name}=' not in text, (
            f'{_rel(path)} writes a {name}: take it from '
            'configs/_base_/backbones/ through a models/ base')
    # nor is the model replaced wholesale (which restates its generator)
    assert not re.search(r'model\s*=\s*dict\(\s*_delete_', text), _rel(path)


@pytest.mark.parametrize('path', SCHEDULES, ids=_rel)
def test_schedule_lengths_agree(path):
    cfg = Config.fromfile(path)
    assert cfg.train_cfg.max_iters == cfg.max_iters
    assert cfg.param_scheduler.T_max == cfg.max_iters


def test_gef_configs_estimate_the_importance_first():
    gef = []
    for path in CONFIGS:
        cfg = Config.fromfile(path)
        if cfg.model.type == 'EEDTPRestorer' and cfg.model.stage == 'gef':
            gef.append(path)
            hooks = [h['type'] for h in cfg.custom_hooks]
            assert hooks[0] == 'ImportanceEstimationHook', (path, hooks)
            # the benchmark table and visualisation of default_runtime.py
            assert hooks[-2:] == ['BenchmarkTableHook',
                                  'BasicVisualizationHook'], (path, hooks)
    assert len(gef) >= 14  # single-task, denoising, CPU, demo and MTUL


DIFFIR_LATER = [p for p in CONFIGS if osp.basename(p).startswith(
    ('diffir-s2_', 'diffir-s2gan_'))]


@pytest.mark.parametrize('path', DIFFIR_LATER, ids=_rel)
def test_diffir_later_stages_keep_the_stage1_backbone(path):
    # diffir-s2[gan]_<backbone>_...: the stage-2 network is the backbone
    # file's stage-1 network with CPEN reading the LQ only, and the teacher
    # is that stage-1 network itself
    backbone = osp.basename(path).split('_')[1]
    bb = Config.fromfile(
        osp.join(BASE, 'backbones', backbone + '.py')).generator
    model = Config.fromfile(path).model
    assert model.generator.type == 'DiffIRS2Net'
    assert model.generator.dirformer == bb.dirformer
    assert model.generator.cpen == dict(bb.cpen, gt_channels=0)
    if model.s1 is not None:  # the released-weights configs have no teacher
        assert model.s1 == bb
