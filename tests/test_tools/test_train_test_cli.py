"""tools/train.py -> tools/test.py end to end, and tools/dist_train.sh with
two CPU processes (gloo)."""
import glob
import json
import os
import subprocess
import sys

import pytest

from tests.helpers import DEMO_CONFIG, REPO, dist_train

sys.path.insert(0, os.path.join(REPO, 'tools'))
import test as test_tool  # noqa: E402
import train as train_tool  # noqa: E402

CPU_NAFNET = os.path.join(
    REPO, 'configs/baselines/plain_nafnet-w16-tiny_1xb4-lr1e-3-2k_denoise-cpu.py')
FAST = ['train_cfg.max_iters=2', 'train_dataloader.batch_size=2',
        'train_dataloader.num_workers=0', 'val_cfg=None',
        'val_dataloader=None', 'val_evaluator=None',
        'default_hooks.logger.interval=1']


@pytest.fixture(scope='module')
def demo_checkpoint(tmp_path_factory, registered):
    work = tmp_path_factory.mktemp('demo')
    train_tool.main([DEMO_CONFIG, '--work-dir', str(work), '--cfg-options',
                     *FAST])
    ckpt = work / 'iter_2.pth'
    assert ckpt.is_file()
    return ckpt


def test_test_tool_prints_one_row_per_benchmark(demo_checkpoint, tmp_path,
                                                real_photos, save_rgb):
    # Three small "benchmarks" of real photos in the CBSD68/Kodak24/McMaster
    # slots of the CPU baseline's test config (same tiny NAFNet as the demo).
    options = []
    for i, name in enumerate(['CBSD68', 'Kodak24', 'McMaster']):
        for j, img in enumerate(real_photos[:2]):
            save_rgb(tmp_path / 'sets' / name / f'{name}_{j}.png', img)
        options += [f'test_dataloader.{i}.dataset.data_root={tmp_path}/sets',
                    f'test_dataloader.{i}.num_workers=0']
    work = tmp_path / 'test'
    test_tool.main([CPU_NAFNET, str(demo_checkpoint), '--work-dir', str(work),
                    '--no-images', '--out', str(tmp_path / 'm.json'),
                    '--cfg-options', *options])
    [table] = glob.glob(f'{work}/*/benchmark_table.txt')
    text = open(table).read()
    rows = [line.split('|')[1].strip() for line in text.splitlines()
            if line.startswith('|')][1:]
    assert rows == ['CBSD68', 'Kodak24', 'McMaster', 'average']
    [data] = glob.glob(f'{work}/*/benchmark_table.json')
    values = json.load(open(data))
    assert set(values['Kodak24']) == {'PSNR', 'SSIM', 'PSNR-Y', 'SSIM-Y'}
    # sigma-25 noise after 2 training steps: restored PSNR is finite and sane
    assert 10 < values['Kodak24']['PSNR'] < 40
    # --out: the same metrics as JSON, keyed by mmengine's metric names
    out = json.load(open(tmp_path / 'm.json'))
    assert abs(out['Kodak24/PSNR'] - values['Kodak24']['PSNR']) < 1e-3
    assert {'CBSD68/SSIM', 'McMaster/Y/PSNR'} <= set(out)


def test_train_resume_auto_continues(demo_checkpoint, tmp_path):
    work = demo_checkpoint.parent
    train_tool.main([DEMO_CONFIG, '--work-dir', str(work), '--resume',
                     '--cfg-options', *FAST, 'train_cfg.max_iters=3'])
    assert (work / 'iter_3.pth').is_file()


def test_missing_config_and_checkpoint_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.py'):
        train_tool.main([str(tmp_path / 'nope.py')])
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        test_tool.main([DEMO_CONFIG, str(tmp_path / 'missing.pth')])


def test_dist_train_two_cpu_processes(tmp_path):
    work = tmp_path / 'dist'
    dist_train(DEMO_CONFIG, work, 29517, FAST)
    assert (work / 'iter_2.pth').is_file()


def test_dist_test_two_cpu_processes(demo_checkpoint, tmp_path):
    work = tmp_path / 'dist_test'
    env = dict(os.environ, PORT='29519', PYTHON=sys.executable)
    proc = subprocess.run(
        ['bash', os.path.join(REPO, 'tools/dist_test.sh'), DEMO_CONFIG,
         str(demo_checkpoint), '2', '--work-dir', str(work), '--no-images',
         '--cfg-options', 'test_dataloader.num_workers=0'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [data] = glob.glob(f'{work}/*/benchmark_table.json')
    dist_values = json.load(open(data))['skimage-test']
    # the same metrics as one process (mmengine drops the padded duplicate)
    single = tmp_path / 'single'
    test_tool.main([DEMO_CONFIG, str(demo_checkpoint), '--work-dir',
                    str(single), '--no-images', '--cfg-options',
                    'test_dataloader.num_workers=0'])
    [data] = glob.glob(f'{single}/*/benchmark_table.json')
    values = json.load(open(data))['skimage-test']
    assert dist_values.keys() == values.keys()
    for k in values:
        assert abs(dist_values[k] - values[k]) < 1e-4, k


def test_dist_train_eedtp_gef_two_cpu_processes(tmp_path, data_tree):
    """EEDTP's own gradient step under torchrun (ManualGradSyncWrapper):
    importance estimation, diffusion iterations and a checkpoint."""
    gef = os.path.join(REPO, 'configs/eedtp/'
                       'eedtp-gef_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-denoise-cpu.py')
    work = tmp_path / 'dist_gef'
    env = dict(os.environ, PORT='29518', PYTHON=sys.executable)
    proc = subprocess.run(
        ['bash', os.path.join(REPO, 'tools/dist_train.sh'), gef, '2',
         '--work-dir', str(work), '--cfg-options', *FAST,
         f'train_dataloader.dataset.data_root={data_tree}/train',
         'load_from=None', 'model.pixel_loss.gen_prob=1.0',
         'custom_hooks.0.num_batches=1'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (work / 'iter_2.pth').is_file()
    [log] = glob.glob(f'{work}/*/*.log')
    text = open(log).read()
    assert 'importance (Omega) estimated' in text and 'loss_gen' in text


def test_amp_flag_sets_the_mixed_precision_wrapper():
    from mmengine.config import Config

    from mmdiffir.utils.config import enable_amp
    args = train_tool.parse_args([CPU_NAFNET, '--amp'])
    assert args.amp == 'bf16'  # a bare --amp: bf16 autocast, no scaler
    assert train_tool.parse_args([CPU_NAFNET, '--amp', 'fp16']).amp == 'fp16'
    cfg = Config.fromfile(CPU_NAFNET)
    enable_amp(cfg, args.amp)
    assert cfg.optim_wrapper.type == 'MixedPrecisionOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'bfloat16'
