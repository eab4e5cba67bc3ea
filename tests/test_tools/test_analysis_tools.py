"""plot_curves on a real work dir (two tiny trainings with validation,
the second resumed), get_flops and benchmark_speed on CPU configs."""
import os
import sys

import cv2
import pytest

from tests.helpers import DEMO_CONFIG, REPO
from tests.test_apis.builders import PLAIN_CPU

sys.path.insert(0, os.path.join(REPO, 'tools'))
sys.path.insert(0, os.path.join(REPO, 'tools', 'analysis_tools'))
import benchmark_speed  # noqa: E402
import get_flops  # noqa: E402
import plot_curves  # noqa: E402
import train as train_tool  # noqa: E402

FAST = ['train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'val_dataloader.num_workers=0', 'test_dataloader.num_workers=0',
        'train_cfg.val_interval=2', 'default_hooks.logger.interval=1',
        'train_dataloader.dataset.pipeline.1.crop_size=(32,32)']


@pytest.fixture(scope='module')
def work_dir(tmp_path_factory, registered):
    work = tmp_path_factory.mktemp('curves')
    train_tool.main([DEMO_CONFIG, '--work-dir', str(work), '--cfg-options',
                     'train_cfg.max_iters=2', *FAST])
    train_tool.main([DEMO_CONFIG, '--work-dir', str(work), '--resume',
                     '--cfg-options', 'train_cfg.max_iters=4', *FAST])
    return work


def test_plot_curves_on_a_real_work_dir(work_dir, tmp_path):
    files = plot_curves.find_scalar_files(str(work_dir))
    assert len(files) == 2  # the run and its resumption
    train, val = plot_curves.read_scalars(files)
    assert [s for s, _ in train['loss']] == [1, 2, 3, 4]
    assert [s for s, _ in val['skimage-test/PSNR']] == [2, 4]
    written = plot_curves.main([str(work_dir), '--out', str(tmp_path)])
    for key in ('losses', 'val'):
        img = cv2.imread(written[key])
        assert img is not None and img.shape[0] > 100, key


def test_plot_curves_errors_name_the_problem(work_dir, tmp_path):
    with pytest.raises(FileNotFoundError, match='no_such_dir'):
        plot_curves.main([str(tmp_path / 'no_such_dir')])
    with pytest.raises(FileNotFoundError, match='scalars.json'):
        plot_curves.main([str(tmp_path)])
    with pytest.raises(KeyError, match='loss_typo'):
        plot_curves.main([str(work_dir), '--loss-keys', 'loss_typo'])


def test_get_flops_scales_with_the_image(registered):
    small = get_flops.main([PLAIN_CPU, '--shape', '64', '64'])
    large = get_flops.main([PLAIN_CPU, '--shape', '128', '128'])
    assert small['params'] == large['params'] > 1e5
    # a fully convolutional network: 4x the pixels, 4x the multiply-adds
    assert large['flops'] == pytest.approx(4 * small['flops'], rel=0.01)


def test_benchmark_speed_reports_a_latency(registered):
    r = benchmark_speed.main([PLAIN_CPU, '--shape', '48', '48',
                              '--repeats', '2', '--warmup', '1',
                              '--device', 'cpu'])
    assert 0 < r['min_s'] <= r['median_s'] and r['fps'] > 0
