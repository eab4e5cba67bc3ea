"""Small shared builders for tests that run the real Runner or the
scripts under tools/."""
import copy
import glob
import importlib.util
import os
import os.path as osp
import subprocess
import sys

from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIG = osp.join(
    REPO, 'configs/demo/demo_nafnet-tiny_1xb8-lr1e-3-1k_skimage-noise25.py')


def tiny_train_cfg(work_dir, max_iters=4, ckpt_interval=2, val=False,
                   base=DEMO_CONFIG):
    """The demo config shrunk to a few fast iterations (32 crops, batch 2,
    no workers), checkpoints every ``ckpt_interval``."""
    cfg = Config.fromfile(base)
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'test_{osp.basename(str(work_dir))}'
    cfg.train_dataloader.batch_size = 2
    cfg.train_dataloader.num_workers = 0
    pipe = copy.deepcopy(cfg.train_dataloader.dataset.pipeline)
    for t in pipe:
        if t['type'] == 'Crop':
            t['crop_size'] = (32, 32)
    cfg.train_dataloader.dataset.pipeline = pipe
    cfg.train_cfg = dict(type='FastResumeIterBasedTrainLoop',
                         max_iters=max_iters,
                         val_interval=max_iters)
    cfg.param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False,
                               T_max=max_iters, eta_min=1e-7)
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=ckpt_interval, by_epoch=False,
        save_optimizer=True, max_keep_ckpts=-1)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.custom_hooks = [dict(type='BenchmarkTableHook')]
    cfg.randomness = dict(seed=123, deterministic=True)
    if val:
        cfg.val_dataloader.num_workers = 0
        cfg.test_dataloader.num_workers = 0
    else:
        cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    return cfg


# Config text (appended to a written config) that leaves a training run
# without validation or test loops.
TRAIN_ONLY = '''val_cfg = None
val_dataloader = None
val_evaluator = None
test_cfg = None
test_dataloader = None
test_evaluator = None
'''


def load_tool(relpath):
    """A script under tools/ (``relpath`` from the repository root) loaded
    as a module, to call its ``main(argv)``: tools/ is a folder of scripts,
    not a package."""
    name = osp.splitext(osp.basename(relpath))[0]
    spec = importlib.util.spec_from_file_location(name, osp.join(REPO,
                                                                 relpath))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dist_train(config, work_dir, port, options, cwd=REPO, nproc=2):
    """Run ``tools/dist_train.sh config nproc`` on CPU (gloo) and return its
    log text, after checking that it exited cleanly as a distributed run of
    ``nproc`` processes."""
    env = dict(os.environ, PORT=str(port), PYTHON=sys.executable)
    proc = subprocess.run(
        ['bash', osp.join(REPO, 'tools/dist_train.sh'), config, str(nproc),
         '--work-dir', str(work_dir), '--cfg-options', *options],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [log] = glob.glob(f'{work_dir}/*/*.log')
    with open(log) as f:
        text = f.read()
    assert 'Distributed training: True' in text
    # mmengine's name for the world size
    assert f'GPU number: {nproc}' in text
    return text
