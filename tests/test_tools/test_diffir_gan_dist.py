"""The DiffIR SR GAN stage (two optimizers, MMSeparateDistributedDataParallel)
trains under torchrun with two CPU processes (the reference only runs
wrapped in DDP and crashes on one GPU; here both work)."""
import glob
import os
import subprocess
import sys

from tests.helpers import REPO

GAN = os.path.join(REPO, 'configs/diffir/'
                   'diffir-s2gan_dirformer-tiny-x4_1xb4-lr1e-4-1k_t91-cpu.py')


def test_gan_stage_two_cpu_processes(tmp_path, train_root):
    work = tmp_path / 'gan'
    env = dict(os.environ, PORT='29523', PYTHON=sys.executable,
               OMP_NUM_THREADS='1')
    proc = subprocess.run(
        ['bash', os.path.join(REPO, 'tools/dist_train.sh'), GAN, '2',
         '--work-dir', str(work), '--cfg-options', 'load_from=None',
         'train_cfg.max_iters=2', 'val_cfg=None', 'val_dataloader=None',
         'val_evaluator=None', 'train_dataloader.num_workers=0',
         'train_dataloader.batch_size=2', 'default_hooks.logger.interval=1',
         f'train_dataloader.dataset.data_root={train_root}'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (work / 'iter_2.pth').is_file()
    [log] = glob.glob(f'{work}/*/*.log')
    text = open(log).read()
    assert 'GPU number: 2' in text  # mmengine's name for the world size
    assert 'loss_gan' in text and 'loss_d_real' in text
