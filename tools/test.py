"""Test a checkpoint on every test set of a config and print one table.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--no-images]
                         [--save-restored DIR] [--flip-ensemble [N]]
                         [--cfg-options k=v ...] [--launcher none|pytorch|slurm]

The table (a row per benchmark, PSNR/SSIM on RGB and Y, and the average) is
printed by BenchmarkTableHook and saved under the work dir's run folder with
the input | output | GT images of BasicVisualizationHook. With
``--save-restored DIR`` every restored image is also written alone to
``DIR/<benchmark>/<file name>.png``. ``--flip-ensemble`` averages each
restoration over the 4 flips (none, horizontal, vertical, both) as the EEDTP
reference's test script does by default (``N`` = 2 or 8 for other sizes; 8
adds the transposes); models that do not read ``test_cfg.flip_ensemble``
are refused.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmengine.runner import Runner  # noqa: E402

from mmdiffir.utils import register_all_modules  # noqa: E402
from mmdiffir.utils.config import add_common_args, load_config  # noqa: E402


def parse_args(argv=None):
    parser = add_common_args(argparse.ArgumentParser(description=__doc__))
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--no-images', action='store_true',
                        help='do not save input | output | GT images')
    parser.add_argument('--save-restored', metavar='DIR',
                        help='write each restored image to '
                        'DIR/<benchmark>/<name>.png')
    parser.add_argument('--flip-ensemble', nargs='?', type=int, const=4,
                        choices=[2, 4, 8], metavar='N',
                        help='flip self-ensemble at test time; alone: the '
                        'reference\'s 4 flips')
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None):
    args = parse_args(argv)
    if not os.path.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    register_all_modules(init_default_scope=False)
    cfg = load_config(args)
    cfg.load_from = args.checkpoint
    if args.no_images:
        cfg.custom_hooks = [h for h in cfg.get('custom_hooks', [])
                            if h.get('type') != 'BasicVisualizationHook']
    if args.save_restored:
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
            dict(type='SaveRestoredHook', out_dir=args.save_restored)]
    if args.flip_ensemble:
        from mmdiffir.registry import MODELS
        model_cls = MODELS.get(cfg.model.get('type', ''))
        if not getattr(model_cls, 'reads_test_cfg_flip_ensemble', False):
            raise ValueError(f'--flip-ensemble: the model '
                             f'{cfg.model.get("type")!r} of {args.config} '
                             'does not read test_cfg.flip_ensemble')
        cfg.model.test_cfg = dict(cfg.model.get('test_cfg') or {},
                                  flip_ensemble=args.flip_ensemble)
    runner = Runner.from_cfg(cfg)
    runner.test()


if __name__ == '__main__':
    main()
