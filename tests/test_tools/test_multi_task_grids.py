"""The all-in-one test keeps every task's input | output | GT grid, and
each grid names its panels, task and output PSNR (issue 18.7)."""
import glob
import os
import sys

import cv2
import numpy as np
import torch
from mmengine.config import Config

from mmdiffir.registry import MODELS
from tests.helpers import REPO

sys.path.insert(0, os.path.join(REPO, 'tools'))
import test as test_tool  # noqa: E402

MTUL = os.path.join(REPO, 'configs/eedtp/'
                    'eedtp-mtul_nafnet-w16-tiny_1xb4-lr1e-3-1k_allinone6-cpu.py')
TASKS = ['noise', 'rain', 'jpeg', 'lowlight', 'haze', 'blur']


def test_every_task_keeps_a_labelled_grid(tmp_path, real_photos, save_rgb,
                                          data_tree, registered,
                                          monkeypatch):
    from mmdiffir.visualization import labelled_grid
    drawn = []
    real_put = cv2.putText

    def record(img, text, *args, **kwargs):
        drawn.append(text)
        return real_put(img, text, *args, **kwargs)
    monkeypatch.setattr(labelled_grid.cv2, 'putText', record)

    cfg = Config.fromfile(MTUL)
    torch.manual_seed(0)
    ckpt = tmp_path / 'mtul.pth'
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict(),
                    meta={}), ckpt)
    save_rgb(tmp_path / 'sets' / 'Kodak24' / 'k0.png',
             real_photos[0][:48, :48])
    options = []
    for i in range(len(TASKS)):
        options += [
            f'test_dataloader.{i}.dataset.tasks.0.dataset.data_root='
            f'{tmp_path}/sets', f'test_dataloader.{i}.num_workers=0']
    options.append(f'test_dataloader.5.dataset.tasks.0.dataset.pipeline.1.'
                   f'kernel_file={data_tree}/deblur/kernels/Levin09.mat')
    # the MTUL hooks look at the training sampler even in a test run
    options += [f'train_dataloader.dataset.tasks.{i}.dataset.data_root='
                f'{data_tree}/train' for i in range(len(TASKS))]
    options.append(f'train_dataloader.dataset.tasks.5.dataset.pipeline.4.'
                   f'kernel_file={data_tree}/deblur/kernels/Levin09.mat')
    work = tmp_path / 'work'
    test_tool.main([MTUL, str(ckpt), '--work-dir', str(work),
                    '--cfg-options', *options])
    grids = sorted(os.path.basename(p) for p in
                   glob.glob(f'{work}/*/vis_data/vis_image/*.png'))
    assert [g.split('_k0')[0] for g in grids] == sorted(TASKS), grids
    for task in TASKS:
        titles = [t for t in drawn if t.startswith(f'{task}: k0.png')]
        assert titles and 'output PSNR' in titles[0] and 't_mat' in \
            titles[0], drawn
    assert {'input', 'output', 'GT'} <= set(drawn)
    # the PSNR in the title is the output's against the GT panel
    [grid_path] = glob.glob(f'{work}/*/vis_data/vis_image/noise_k0*.png')
    grid = cv2.imread(grid_path)
    assert grid.shape[0] > 2 * labelled_grid.STRIP


def test_psnr_of_the_title():
    from mmdiffir.visualization.labelled_grid import psnr_uint8
    a = np.zeros((4, 4, 3), np.uint8)
    b = a.copy()
    b[0, 0, 0] = 255  # mse = 255^2 / 48
    assert abs(psnr_uint8(a, b) - 10 * np.log10(48)) < 1e-9
