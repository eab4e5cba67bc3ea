"""DiffUIR with the real Runner on real photos: the CPU config trains a few
iterations on mixed-task batches (haze / low light / rain / snow / blur with
the reference's ratios), the EMA hook averages the weights, and the test
loop restores seeded degradations with the 3-step sampler."""
import glob
import json
import os.path as osp
from collections import Counter

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmdiffir import registry as R
from mmdiffir.utils import safe_torch_load
from tests.helpers import REPO

CPU = osp.join(REPO, 'configs/diffuir/'
               'diffuir_unet-t16_1xb8-lr5e-4-1500_allinone5-cpu.py')
TASKS = ['haze', 'lowlight', 'rain', 'snow', 'blur']


class _Tasks(Hook):
    priority = 'LOWEST'

    def __init__(self):
        self.seen = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.seen += [s.metainfo['task']
                      for s in data_batch['data_samples']]


@pytest.fixture
def roots(data_tree):
    """(train root with T91/Train400, test root with Kodak24, kernel file):
    the shared data or its stand-in."""
    return (data_tree / 'train', data_tree / 'denoise',
            data_tree / 'deblur/kernels/Levin09.mat')


def _cfg(work_dir, roots, iters=4):
    train_root, test_root, kernels = roots
    cfg = Config.fromfile(CPU)
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = 'test_diffuir'
    loader = cfg.train_dataloader
    loader.batch_size = loader.sampler.batch_size = 4
    loader.num_workers = 0
    for task in loader.dataset.tasks:
        task.dataset.data_root = str(train_root)
        for step in task.dataset.pipeline:
            if step.type == 'Crop':
                step.crop_size = (32, 32)
            if step.type == 'KernelBlur':
                step.kernel_file = str(kernels)
    for dl in cfg.test_dataloader:
        dl.num_workers = 0
        ds = dl.dataset.tasks[0].dataset
        ds.data_root = str(test_root)
        ds.indices = 1
        for step in ds.pipeline:
            if step.type == 'Crop':
                step.crop_size = (48, 48)
            if step.type == 'KernelBlur':
                step.kernel_file = str(kernels)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.train_cfg = dict(type='FastResumeIterBasedTrainLoop',
                         max_iters=iters, val_interval=iters + 1)
    cfg.param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False,
                               T_max=iters, eta_min=1e-6)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                        interval=iters, by_epoch=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.custom_hooks = [
        dict(type='BenchmarkTableHook'),
        dict(type='EMAHook', momentum=0.5, interval=1, begin_iter=2)]
    cfg.randomness = dict(seed=3)
    cfg.degradations = None  # a smaller config to print into the checkpoint
    return cfg


def test_train_then_sample_with_the_runner(tmp_path, roots, registered):
    cfg = _cfg(tmp_path / 'run', roots)
    runner = Runner.from_cfg(cfg)
    probe = _Tasks()
    runner.register_hook(probe)
    runner.train()
    assert len(probe.seen) == 16 and set(probe.seen) <= set(TASKS)

    ckpt = safe_torch_load(tmp_path / 'run' / 'iter_4.pth')
    # EMAHook: the averaged weights are the checkpoint's state_dict, the raw
    # ones kept under ema_state_dict; they differ after two EMA updates
    ema, raw = ckpt['state_dict'], ckpt['ema_state_dict']
    key = 'generator.final_conv.weight'
    assert not torch.equal(ema[key], raw['module.' + key])

    runner.test()
    [table] = glob.glob(f'{tmp_path}/run/*/benchmark_table.json')
    values = json.load(open(table))
    assert sorted(values) == sorted(TASKS)
    for task in TASKS:
        psnr, inp = values[task]['PSNR'], values[task]['InputPSNR']
        assert 5 < psnr < 60 and 5 < inp < 60, (task, psnr, inp)


def test_config_mixes_tasks_with_the_reference_ratios(roots, registered):
    """MultiTaskSampler on the CPU config's dataset: task frequencies over
    4000 draws follow 4 : 1 : 2 : 2 : 1 (no image is loaded)."""
    cfg = _cfg('/nonexistent', roots)
    dataset = R.DATASETS.build(cfg.train_dataloader.dataset)
    sampler = R.DATA_SAMPLERS.build(dict(cfg.train_dataloader.sampler,
                                         dataset=dataset, seed=0))
    draws = []
    for n, idx in enumerate(sampler):
        if n == 4000:
            break
        draws.append(dataset.task_names[dataset.locate(idx)[0]])
    freq = Counter(draws)
    for task, ratio in zip(TASKS, (4, 1, 2, 2, 1)):
        assert abs(freq[task] / 4000 - ratio / 10) < 0.03, (task, freq)
