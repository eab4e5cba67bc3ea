"""DiffUIR's CPU config under tools/dist_train.sh with two CPU processes
(gloo): mixed-task batches from the rank-split MultiTaskSampler, gradient
clipping and the EMA hook through MMDistributedDataParallel."""
import glob
import os
import subprocess
import sys

import pytest

from tests.helpers import REPO

CPU = os.path.join(REPO, 'configs/diffuir/'
                   'diffuir_unet-t16_1xb8-lr5e-4-1500_allinone5-cpu.py')


def test_dist_train_diffuir_two_cpu_processes(tmp_path, data_tree):
    work = tmp_path / 'dist_diffuir'
    env = dict(os.environ, PORT='29527', PYTHON=sys.executable)
    options = ['train_cfg.max_iters=2', 'train_dataloader.batch_size=2',
               'train_dataloader.sampler.batch_size=2',
               'train_dataloader.num_workers=0', 'val_cfg=None',
               'val_dataloader=None', 'val_evaluator=None',
               'default_hooks.logger.interval=1',
               'custom_hooks.2.begin_iter=1']
    # the config names its files relative to data/: run where data/ links
    # to the shared data or its stand-in (a clean checkout has no link)
    (tmp_path / 'data').symlink_to(data_tree)
    proc = subprocess.run(
        ['bash', os.path.join(REPO, 'tools/dist_train.sh'), CPU, '2',
         '--work-dir', str(work), '--cfg-options', *options],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (work / 'iter_2.pth').is_file()
    [log] = glob.glob(f'{work}/*/*.log')
    text = open(log).read()
    assert 'Distributed training: True' in text
    assert 'GPU number: 2' in text  # mmengine's name for the world size
    assert 'grad_norm' in text and 'loss:' in text
