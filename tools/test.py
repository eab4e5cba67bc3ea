"""Test a checkpoint on every test set of a config and print one table.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--no-images]
                         [--save-restored DIR] [--out METRICS.json]
                         [--flip-ensemble [N]]
                         [--cfg-options k=v ...] [--launcher none|pytorch|slurm]

The table (a row per benchmark, PSNR/SSIM on RGB and Y, and the average) is
printed by BenchmarkTableHook and saved under the work dir's run folder with
the input | output | GT images of BasicVisualizationHook. A checkpoint that
lacks any trained weight of the config's model (e.g. an EEDTP model's
conditioner or adapters) is refused, naming the missing keys. With
``--save-restored DIR`` every restored image is also written alone to
``DIR/<benchmark>/<file name>.png`` (a DIR inside, equal to or containing a
data root of the config is refused). ``--out FILE`` writes every metric as
JSON ({"Kodak24/PSNR": ..., ...}). ``--flip-ensemble`` averages each
restoration over the 4 flips (none, horizontal, vertical, both) as the EEDTP
reference's test script does by default (``N`` = 2 or 8 for other sizes; 8
adds the transposes); models that do not read ``test_cfg.flip_ensemble``
are refused.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmengine.hooks import Hook  # noqa: E402
from mmengine.model import is_model_wrapper  # noqa: E402
from mmdiffir.utils.console import quiet_library_warnings  # noqa: E402

quiet_library_warnings()

from mmdiffir.utils import register_all_modules  # noqa: E402
from mmdiffir.engine.hooks import TestProgressHook  # noqa: E402
from mmdiffir.utils.console import tool_runner  # noqa: E402
from mmdiffir.utils.checkpoint import refuse_incomplete_checkpoint  # noqa: E402
from mmdiffir.utils.config import (add_common_args, load_config,  # noqa: E402
                                   parse_runner_args, refuse_output_in_data)


def parse_args(argv=None):
    parser = add_common_args(argparse.ArgumentParser(description=__doc__))
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--no-images', action='store_true',
                        help='do not save input | output | GT images')
    parser.add_argument('--save-restored', metavar='DIR',
                        help='write each restored image to '
                        'DIR/<benchmark>/<name>.png')
    parser.add_argument('--out', metavar='FILE.json',
                        help='write the metrics to this JSON file')
    parser.add_argument('--flip-ensemble', nargs='?', type=int, const=4,
                        choices=[2, 4, 8], metavar='N',
                        help='flip self-ensemble at test time; alone: the '
                        'reference\'s 4 flips')
    return parse_runner_args(parser, argv)


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
    if args.out:
        refuse_output_in_data(args.out, cfg, '--out')
    if args.save_restored:
        refuse_output_in_data(args.save_restored, cfg, '--save-restored')
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
    runner = tool_runner(args.verbose).from_cfg(cfg)
    model = runner.model.module if is_model_wrapper(runner.model) \
        else runner.model
    # mmengine loads load_from non-strictly and only warns: a checkpoint
    # without the conditioner / adapters would test another network
    refuse_incomplete_checkpoint(model, args.checkpoint)
    runner.register_hook(TestProgressHook())
    if args.out:
        runner.register_hook(MetricsFileHook(args.out), priority='LOWEST')
    runner.test()


class MetricsFileHook(Hook):
    """--out: write the test metrics as JSON. A hook because mmagic's
    MultiTestLoop.run returns None; its metrics reach only the hooks."""

    def __init__(self, path: str):
        self.path = path

    def after_test_epoch(self, runner, metrics=None) -> None:
        if runner.rank != 0:
            return
        os.makedirs(os.path.dirname(os.path.abspath(self.path)),
                    exist_ok=True)
        with open(self.path, 'w') as f:
            json.dump({k: v.item() if hasattr(v, 'item') else v
                       for k, v in (metrics or {}).items()}, f, indent=1)
        runner.logger.info(f'metrics written to {self.path}')


if __name__ == '__main__':
    main()
