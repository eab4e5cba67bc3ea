"""One tools/test.py command evaluates every task of the all-in-one CPU
config from an MTUL checkpoint and prints a per-task table with the
average; the test-time model carries the checkpoint's adapters."""
import glob
import json
import os
import sys

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


def test_one_command_tests_every_task(tmp_path, real_photos, save_rgb,
                                      data_tree, registered):
    cfg = Config.fromfile(MTUL)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    with torch.no_grad():  # "trained" adapters: they must reach the table
        for adapter in model.adapter.adapters.values():
            adapter.scale.fill_(0.3)
    ckpt = tmp_path / 'mtul.pth'
    torch.save(dict(state_dict=model.state_dict(), meta={}), ckpt)

    for j, img in enumerate(real_photos[:2]):
        save_rgb(tmp_path / 'sets' / 'Kodak24' / f'k{j}.png', img[:64, :64])
    options = []
    for i in range(len(TASKS)):
        options += [
            f'test_dataloader.{i}.dataset.tasks.0.dataset.data_root='
            f'{tmp_path}/sets', f'test_dataloader.{i}.num_workers=0']
    # the blur task reads Levin's kernels (shared, or the stand-in)
    kernels = data_tree / 'deblur/kernels/Levin09.mat'
    options.append(f'test_dataloader.{TASKS.index("blur")}.dataset.tasks.0.'
                   f'dataset.pipeline.1.kernel_file={kernels}')
    work = tmp_path / 'test'
    test_tool.main([MTUL, str(ckpt), '--work-dir', str(work), '--no-images',
                    '--save-restored', str(tmp_path / 'restored'),
                    '--cfg-options', *options])
    # --save-restored: one folder per benchmark, the images by file name,
    # RGB photos written the right way round
    import cv2
    for task in TASKS:
        names = sorted(os.listdir(tmp_path / 'restored' / task))
        assert names == ['k0.png', 'k1.png'], task
    out = cv2.imread(str(tmp_path / 'restored' / 'jpeg' / 'k0.png'))
    gt = cv2.imread(str(tmp_path / 'sets' / 'Kodak24' / 'k0.png'))
    assert out.shape == gt.shape
    same = np.abs(out.astype(int) - gt).mean()
    swapped = np.abs(out[..., ::-1].astype(int) - gt).mean()
    assert same < swapped, (same, swapped)
    [table] = glob.glob(f'{work}/*/benchmark_table.txt')
    rows = [[c.strip() for c in line.split('|')[1:-1]] for line in
            open(table).read().splitlines() if line.startswith('|')][1:]
    assert [r[0] for r in rows] == TASKS + ['average']
    [data] = glob.glob(f'{work}/*/benchmark_table.json')
    values = json.load(open(data))
    psnr = [values[t]['PSNR'] for t in TASKS]
    assert abs(float(rows[-1][1]) - sum(psnr) / len(psnr)) < 1e-3
