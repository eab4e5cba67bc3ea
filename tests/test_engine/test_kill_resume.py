"""A training process killed with SIGKILL at an arbitrary point and
restarted with ``--resume`` ends with the weights of an uninterrupted run,
for each model family: plain, EEDTP MTUL (incremental stages, importance
estimate, keyed diffusion draws, adapters), DiffIR stage 2 (random IPR
noise drawn from torch's global stream, restored by RandomStateHook) and
DiffUIR (random t and noise, mixed-task batches, EMA weights)."""
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from mmdiffir.utils import safe_torch_load
from tests.helpers import REPO, TRAIN_ONLY

ITERS = 6
COMMON = f'''
train_cfg = dict(type='FastResumeIterBasedTrainLoop', max_iters={ITERS},
                 val_interval=1000)
''' + TRAIN_ONLY + '''default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=1, max_keep_ckpts=-1, save_best=None))
custom_hooks = []
randomness = dict(seed=11, deterministic=True)
'''

CASES = {
    'plain': (
        'configs/demo/demo_nafnet-tiny_1xb8-lr1e-3-1k_skimage-noise25.py',
        '''
train_dataloader = dict(batch_size=2, num_workers=0)
param_scheduler = dict(T_max=6)
'''),
    'eedtp_mtul': (
        'configs/eedtp/'
        'eedtp-mtul_nafnet-w16-tiny_1xb4-lr1e-3-1k_allinone6-cpu.py',
        '''
load_from = None
train_dataloader = dict(
    batch_size=2, num_workers=0,
    sampler=dict(batch_size=2, stage_iters=[1, 1, 1, 1, 1, 1]))
param_scheduler = dict(periods=[1] * 6, restart_weights=[1] * 6)
custom_hooks = [
    dict(type='ImportanceEstimationHook', num_batches=1),
    dict(type='IncrementalScheduleHook',
         ramps={'pixel_loss.gen_prob': (0.3, 1.0)}),
]
'''),
    'diffir_s2': (
        'configs/diffir/diffir-s2_dirformer-tiny_1xb4-lr1e-3-1k_t91-levin-cpu.py',
        '''
model = dict(s1_checkpoint=None, encoder_iter=2)
train_dataloader = dict(batch_size=2, num_workers=0)
'''),
    'diffuir': (
        'configs/diffuir/diffuir_unet-t16_1xb8-lr5e-4-1500_allinone5-cpu.py',
        '''
train_dataloader = dict(batch_size=2, num_workers=0,
                        sampler=dict(batch_size=2))
custom_hooks = [dict(type='EMAHook', ema_type='ExponentialMovingAverage',
                     momentum=0.005, interval=1, begin_iter=2)]
'''),
}


def _write_cfg(tmp_path, name):
    base, extra = CASES[name]
    path = tmp_path / f'{name}_cfg.py'
    path.write_text(f"_base_ = '{os.path.join(REPO, base)}'\n" + COMMON +
                    extra)
    return path


def _train(cfg, work, *extra, kill_after=None):
    # run in the test folder, whose data/ links to ../shared/data: the
    # configs name their files relative to data/
    cwd = cfg.parent
    env = dict(os.environ, OMP_NUM_THREADS='1')
    cmd = [sys.executable, os.path.join(REPO, 'tools/train.py'), str(cfg),
           '--work-dir', str(work), *extra]
    if kill_after is None:
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return
    proc = subprocess.Popen(cmd, cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while not (work / f'iter_{kill_after}.pth').exists():
        assert proc.poll() is None, 'the run ended before it was killed'
        assert time.time() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize('name', list(CASES))
def test_sigkill_then_resume_equals_uninterrupted(name, tmp_path,
                                                  data_tree):
    cfg = _write_cfg(tmp_path, name)
    (tmp_path / 'data').symlink_to(data_tree)
    _train(cfg, tmp_path / 'full')
    work = tmp_path / 'killed'
    _train(cfg, work, kill_after=3)
    done = sorted(int(p.stem.split('_')[1]) for p in work.glob('iter_*.pth'))
    assert ITERS not in done  # killed before the end
    _train(cfg, work, '--resume')
    a = safe_torch_load(tmp_path / 'full' / f'iter_{ITERS}.pth')
    b = safe_torch_load(work / f'iter_{ITERS}.pth')
    assert a['state_dict'].keys() == b['state_dict'].keys()
    for k in a['state_dict']:
        assert torch.equal(a['state_dict'][k], b['state_dict'][k]), (name, k)
