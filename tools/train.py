"""Train a model from a config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp [bf16|fp16]]
                          [--cfg-options k=v ...] [--launcher none|pytorch|slurm]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmengine.runner import Runner  # noqa: E402

from mmdiffir.utils import register_all_modules  # noqa: E402
from mmdiffir.utils.checkpoint import checkpoint_to_resume  # noqa: E402
from mmdiffir.utils.config import (add_common_args, enable_amp,  # noqa: E402
                                   load_config)


def parse_args(argv=None):
    parser = add_common_args(argparse.ArgumentParser(description=__doc__))
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from CKPT, or with no value from the latest checkpoint '
        'in the work dir')
    parser.add_argument(
        '--amp', nargs='?', const='bf16', choices=['bf16', 'fp16'],
        help='mixed precision: bf16 autocast (the default of a bare --amp; '
        'CPU and GPU) or fp16 autocast with a dynamic gradient scaler')
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None):
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    cfg = load_config(args)
    if args.amp:
        enable_amp(cfg, args.amp)
    if args.resume == 'auto':
        cfg.resume = True
        # None: mmengine's own search (it finds nothing and starts over)
        cfg.load_from = checkpoint_to_resume(cfg.work_dir)
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()
