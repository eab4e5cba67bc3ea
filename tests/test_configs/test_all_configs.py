"""Every config parses, every ``type`` in it is registered, and its model
builds; each CPU baseline config trains one iteration on real photos."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from mmdiffir import registry as R
from tests.helpers import REPO

CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                         recursive=True) if '_base_' not in p)
# every CPU variant (plain baselines and EEDTP's TMDDP / GEF stages)
CPU_BASELINES = [p for p in CONFIGS if p.endswith('-cpu.py')]
# Where to look a config's ``type`` up: mmdiffir's registries and, through
# them, mmagic's and mmengine's.
ALL_REGISTRIES = [getattr(R, n) for n in dir(R)
                  if isinstance(getattr(R, n), type(R.MODELS))]


def _types(node, path='cfg'):
    if isinstance(node, dict):
        if isinstance(node.get('type'), str):
            yield path, node['type']
        for k, v in node.items():
            yield from _types(v, f'{path}.{k}')
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from _types(v, f'{path}[{i}]')


def test_configs_found():
    assert len(CONFIGS) >= 20 and len(CPU_BASELINES) >= 9


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_types_registered_and_model_builds(path, registered):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmdiffir'
    missing = [(where, t) for where, t in _types(cfg.to_dict())
               if not any(reg.get(t) is not None for reg in ALL_REGISTRIES)]
    assert not missing, f'unregistered types in {path}: {missing}'
    model = R.MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0


def _rebase_data_files(node, data_tree):
    """Configs name files under ``data/`` (the OpenMMLab symlink to the data
    sets, e.g. blur kernels); a clean checkout has no such link, so point
    them at ../shared/data or its stand-in (conftest's data_tree)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and v.startswith('data/') and k != \
                    'data_root':
                node[k] = str(data_tree / v[len('data/'):])
                assert osp.exists(node[k]), f'{v}: not in the data tree'
            else:
                _rebase_data_files(v, data_tree)
    elif isinstance(node, list):
        for v in node:
            _rebase_data_files(v, data_tree)


def _small_train_set(cfg, data_tree):
    """Point the CPU config's training set (each task's, for a multi-task
    set) at ../shared/data/train or its stand-in."""
    ds = cfg.train_dataloader.dataset
    _rebase_data_files(ds, data_tree)
    root = str(data_tree / 'train')
    parts = [t.dataset for t in ds.tasks] if ds.type == 'MultiTaskDataset' \
        else [ds]
    for part in parts:
        part.data_root = root
    return ds


@pytest.mark.parametrize('path', CPU_BASELINES, ids=osp.basename)
def test_cpu_baseline_one_training_iteration(path, registered, data_tree):
    from mmengine.optim import build_optim_wrapper
    cfg = Config.fromfile(path)
    dataset = R.DATASETS.build(
        _small_train_set(cfg, data_tree))
    batch = pseudo_collate([dataset[i] for i in range(2)])
    torch.manual_seed(0)
    model = R.MODELS.build(cfg.model)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    if any(h['type'] == 'ImportanceEstimationHook'
           for h in cfg.get('custom_hooks', [])):
        model.estimate_importance([batch])  # what the hook does first
    before = {k: v.clone() for k, v in model.state_dict().items()}
    losses = model.train_step(batch, optim)
    loss = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(loss)
    changed = [k for k, v in model.state_dict().items()
               if v.dtype.is_floating_point and not torch.equal(v, before[k])]
    assert changed, 'one training step changed no parameter'
