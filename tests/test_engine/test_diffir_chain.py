"""DiffIR S1 -> S2 end to end with the real Runner and the CPU configs on
real photos: stage 1 trains and saves, stage 2 loads it through
``model.s1_checkpoint`` (frozen teacher + DIRformer), warms up the encoder,
trains jointly and tests; then the same stage 2 under torchrun with two CPU
processes (gloo)."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from mmdiffir.utils import safe_torch_load
from tests.helpers import REPO, tiny_train_cfg

S1 = osp.join(REPO, 'configs/diffir/'
              'diffir-s1_dirformer-tiny_1xb4-lr1e-3-1k_t91-levin-cpu.py')
S2 = osp.join(REPO, 'configs/diffir/'
              'diffir-s2_dirformer-tiny_1xb4-lr1e-3-1k_t91-levin-cpu.py')


def _sub(state, prefix):
    return {k[len(prefix):]: v for k, v in state.items()
            if k.startswith(prefix)}


def _cfg(base, work, data_tree, max_iters, val=False):
    cfg = tiny_train_cfg(work, base=base, max_iters=max_iters,
                         ckpt_interval=1)
    ds = cfg.train_dataloader.dataset
    ds.data_root = str(data_tree / 'train')
    for t in ds.pipeline:
        if t['type'] == 'KernelBlur':
            t['kernel_file'] = str(data_tree / 'deblur/kernels/Levin09.mat')
    if val:  # the helper's val=True expects a single loader, not a list
        full = Config.fromfile(base)
        for key in ('val_dataloader', 'val_cfg', 'val_evaluator'):
            cfg[key] = full[key]
        for loader in (cfg.val_dataloader[0], cfg.test_dataloader[0]):
            loader.num_workers = 0
        for loader in (cfg.val_dataloader[0], cfg.test_dataloader[0]):
            loader.dataset.data_root = str(data_tree / 'denoise')
            loader.dataset.indices = 2
            for t in loader.dataset.pipeline:
                if t['type'] == 'KernelBlur':
                    t['kernel_file'] = str(
                        data_tree / 'deblur/kernels/Levin09.mat')
    return cfg


@pytest.fixture(scope='module')
def stage1(tmp_path_factory, registered, data_tree):
    work = tmp_path_factory.mktemp('diffir_s1')
    Runner.from_cfg(_cfg(S1, work, data_tree, max_iters=2)).train()
    return work / 'iter_2.pth'


def test_s1_then_s2_chain(stage1, tmp_path, data_tree):
    s1_state = safe_torch_load(stage1)['state_dict']
    work = tmp_path / 's2'
    cfg = _cfg(S2, work, data_tree, max_iters=4, val=True)
    cfg.model.s1_checkpoint = str(stage1)
    cfg.model.encoder_iter = 2
    runner = Runner.from_cfg(cfg)
    runner.train()
    warm = safe_torch_load(work / 'iter_2.pth')['state_dict']
    joint = safe_torch_load(work / 'iter_4.pth')['state_dict']
    teacher = _sub(s1_state, 'generator.')
    for state in (warm, joint):  # the frozen teacher is S1, bit for bit
        s1 = _sub(state, 's1.')
        assert s1.keys() == teacher.keys()
        assert all(torch.equal(s1[k], teacher[k]) for k in teacher)
    s1_dirformer = _sub(s1_state, 'generator.dirformer.')
    # the warm-up (iterations 0, 1) trained CPEN_S2 + denoiser only ...
    warm_dirformer = _sub(warm, 'generator.dirformer.')
    assert all(torch.equal(warm_dirformer[k], v)
               for k, v in s1_dirformer.items())
    assert not torch.equal(warm['generator.denoiser.mlp.0.weight'],
                           joint['generator.denoiser.mlp.0.weight'])
    # ... then the joint phase moves the DIRformer too
    assert any(not torch.equal(joint[f'generator.dirformer.{k}'], v)
               for k, v in s1_dirformer.items())

    runner.test()
    [table] = glob.glob(f'{work}/*/benchmark_table.json')
    row = json.load(open(table))['CBSD68-Levin']
    # a restored image (not noise, not the blurry input returned as is)
    assert 10 < row['PSNR'] < 45 and row['PSNR'] != row['InputPSNR']


def test_s2_two_cpu_processes(stage1, tmp_path, data_tree):
    """Stage 2 under torchrun (gloo, MMDistributedDataParallel with unused
    parameters during the warm-up); no wrapper-specific code in the model."""
    work = tmp_path / 'dist_s2'
    env = dict(os.environ, PORT='29527', PYTHON=sys.executable,
               OMP_NUM_THREADS='1')
    proc = subprocess.run(
        ['bash', osp.join(REPO, 'tools/dist_train.sh'), S2, '2',
         '--work-dir', str(work), '--cfg-options', 'train_cfg.max_iters=2',
         'train_dataloader.batch_size=1', 'train_dataloader.num_workers=0',
         'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None',
         'default_hooks.logger.interval=1',
         'default_hooks.checkpoint.interval=1',
         f'train_dataloader.dataset.data_root={data_tree}/train',
         'train_dataloader.dataset.pipeline.3.kernel_file='
         f'{data_tree}/deblur/kernels/Levin09.mat',
         f'model.s1_checkpoint={stage1}', 'model.encoder_iter=1'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [log] = glob.glob(f'{work}/*/*.log')
    text = open(log).read()
    assert 'Distributed training: True' in text and 'GPU number: 2' in text
    s1_dirformer = _sub(safe_torch_load(stage1)['state_dict'],
                        'generator.dirformer.')
    it1 = safe_torch_load(work / 'iter_1.pth')['state_dict']
    it2 = safe_torch_load(work / 'iter_2.pth')['state_dict']
    assert all(torch.equal(it1[f'generator.dirformer.{k}'], v)
               for k, v in s1_dirformer.items())
    assert any(not torch.equal(it2[f'generator.dirformer.{k}'], v)
               for k, v in s1_dirformer.items())
    assert 'loss_pix' in text and 'loss_diff' in text


def test_default_s2_config_starts_the_joint_phase_with_a_fresh_adam(
        stage1, tmp_path, data_tree):
    """The released recipe: the warm-up's Adam is not the joint phase's,
    which has never stepped when the joint phase begins. With the default
    hooks, the Adam state saved after the first joint iteration has step 1
    for every parameter (3 for the denoiser if the state carried over)."""
    work = tmp_path / 's2'
    cfg = _cfg(S2, work, data_tree, max_iters=3)
    assert cfg.default_hooks.fresh_optimizer_after_warmup.type == \
        'FreshOptimizerAfterWarmupHook'
    cfg.model.s1_checkpoint = str(stage1)
    cfg.model.encoder_iter = 2
    Runner.from_cfg(cfg).train()

    def steps(name):
        state = safe_torch_load(work / name)['optimizer']['state']
        return {int(s['step']) for s in state.values()}

    assert steps('iter_2.pth') == {2}  # CPEN_S2 + denoiser, warm-up
    assert steps('iter_3.pth') == {1}  # everything, fresh

    # as an option the state carries over (not the released recipe)
    work = tmp_path / 's2_carry'
    cfg = _cfg(S2, work, data_tree, max_iters=3)
    cfg.model.s1_checkpoint = str(stage1)
    cfg.model.encoder_iter = 2
    cfg.default_hooks.fresh_optimizer_after_warmup.enabled = False
    Runner.from_cfg(cfg).train()
    assert steps('iter_3.pth') == {1, 3}


def test_progressive_patches_shrink_the_trained_batch(stage1, tmp_path,
                                                      data_tree):
    """ProgressivePatchHook with the real Runner: the model trains on the
    stage's batch and patch size, switching at the configured iteration."""
    from mmengine.hooks import Hook
    from mmdiffir.registry import HOOKS

    seen = []

    @HOOKS.register_module(force=True)
    class _RecordBatchHook(Hook):
        priority = 'LOW'  # after ProgressivePatchHook (HIGH)

        def before_train_iter(self, runner, batch_idx, data_batch=None):
            seen.append((len(data_batch['inputs']),
                         tuple(data_batch['inputs'][0].shape[-2:]),
                         tuple(data_batch['data_samples'][0].gt_img.shape[
                             -2:])))

    cfg = _cfg(S2, tmp_path / 's2', data_tree, max_iters=3)
    cfg.model.s1_checkpoint = str(stage1)
    cfg.model.encoder_iter = 1
    cfg.custom_hooks = [
        dict(type='ProgressivePatchHook', iters=[2, 1],
             patch_sizes=[16, 24], batch_sizes=[2, 1]),
        dict(type='_RecordBatchHook')]
    Runner.from_cfg(cfg).train()
    assert seen == [(2, (16, 16), (16, 16))] * 2 + [(1, (24, 24), (24, 24))]
