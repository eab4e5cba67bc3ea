"""The config layers of issue 14 hold each fact once: a backbone file per
backbone size (its generator and what the methods need to know about it),
method bases that take the generator from there, schedules per length, and
GEF recipes that bring the importance hook L_reg needs."""
import glob
import os.path as osp

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
# the folders whose leaves take their network from a backbone file (DiffIR
# and DiffUIR move to theirs separately)
LAYERED = [p for p in CONFIGS
           if osp.basename(osp.dirname(p)) in ('eedtp', 'baselines', 'demo')]


def _rel(p):
    return osp.relpath(p, REPO)


def test_layers_found():
    names = {osp.splitext(osp.basename(p))[0] for p in BACKBONES}
    assert {'nafnet-w48', 'nafnet-w32', 'nafnet-tiny', 'restormer',
            'restormer-tiny', 'swinir-m', 'swinir-tiny'} <= names
    assert len(COMBOS) >= 13 and LAYERED


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
    assert 'generator=' not in text, (
        f'{_rel(path)} writes a generator: take it from '
        'configs/_base_/backbones/ through a models/ base')


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
