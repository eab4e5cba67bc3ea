"""Train a model from a config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT|auto]]
                          [--amp [bf16|fp16]] [--cfg-options k=v ...]
                          [--launcher none|pytorch|slurm]

--resume continues from the work dir's latest checkpoint and is an error
when there is none; --resume auto continues when there is one and otherwise
starts a new run (saying so); --resume CKPT continues from that file.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmdiffir.utils.console import quiet_library_warnings  # noqa: E402

quiet_library_warnings()

from mmdiffir.utils import register_all_modules  # noqa: E402
from mmdiffir.utils.console import tool_runner  # noqa: E402
from mmdiffir.utils.checkpoint import checkpoint_to_resume  # noqa: E402
from mmdiffir.utils.config import (add_common_args,  # noqa: E402
                                   check_training_hooks, enable_amp,
                                   load_config, parse_runner_args)


def parse_args(argv=None):
    parser = add_common_args(argparse.ArgumentParser(description=__doc__))
    parser.add_argument(
        '--resume', nargs='?', type=str, const='latest', metavar='CKPT|auto',
        help='resume from CKPT; with no value from the latest checkpoint in '
        'the work dir (an error when there is none); "auto": the latest '
        'when there is one, else start a new run')
    parser.add_argument(
        '--amp', nargs='?', const='bf16', choices=['bf16', 'fp16'],
        help='mixed precision: bf16 autocast (the default of a bare --amp; '
        'CPU and GPU) or fp16 autocast with a dynamic gradient scaler')
    return parse_runner_args(parser, argv)


def main(argv=None):
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    cfg = load_config(args)
    if args.amp:
        enable_amp(cfg, args.amp)
    if args.resume in ('latest', 'auto'):
        found = checkpoint_to_resume(cfg.work_dir)
        if found is None and args.resume == 'latest':
            raise FileNotFoundError(
                f'--resume: nothing to resume in {cfg.work_dir} (no '
                'last_checkpoint and no iter_N.pth / epoch_N.pth); pass '
                '--resume auto to start a new run when there is none')
        if found is None:
            print(f'--resume auto: no checkpoint in {cfg.work_dir}; '
                  'starting a new run', file=sys.stderr)
        else:
            cfg.resume, cfg.load_from = True, found
    elif args.resume is not None:
        if not os.path.isfile(args.resume):
            raise FileNotFoundError(f'--resume: checkpoint not found: '
                                    f'{args.resume}')
        cfg.resume, cfg.load_from = True, args.resume
    check_training_hooks(cfg)
    runner = tool_runner(args.verbose).from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()
