"""DiffUIR's CPU config under tools/dist_train.sh with two CPU processes
(gloo): mixed-task batches from the rank-split MultiTaskSampler, gradient
clipping and the EMA hook through MMDistributedDataParallel."""
import os

from tests.helpers import REPO, dist_train

CPU = os.path.join(REPO, 'configs/diffuir/'
                   'diffuir_unet-t16_1xb8-lr5e-4-1500_allinone5-cpu.py')


def test_dist_train_diffuir_two_cpu_processes(tmp_path, data_tree):
    work = tmp_path / 'dist_diffuir'
    options = ['train_cfg.max_iters=2', 'train_dataloader.batch_size=2',
               'train_dataloader.sampler.batch_size=2',
               'train_dataloader.num_workers=0', 'val_cfg=None',
               'val_dataloader=None', 'val_evaluator=None',
               'default_hooks.logger.interval=1',
               'custom_hooks.2.begin_iter=1']
    # the config names its files relative to data/: run where data/ links
    # to the shared data or its stand-in (a clean checkout has no link)
    (tmp_path / 'data').symlink_to(data_tree)
    text = dist_train(CPU, work, 29527, options, cwd=tmp_path)
    assert (work / 'iter_2.pth').is_file()
    assert 'grad_norm' in text and 'loss:' in text
