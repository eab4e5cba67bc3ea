"""Parameters and FLOPs of any config's model at a given input size.

    python tools/analysis_tools/get_flops.py CONFIG [--shape 256 256]
        [--task rain | --t-mat 8] [--table]

Counting is mmengine's (``mmengine.analysis.get_model_complexity_info``,
fvcore's jit-trace counter): one fused multiply-add counts as one FLOP, and
operators it has no rule for (elementwise ops, pooling, softmax) count as 0,
so the figure is the convolution / matmul cost, as in the papers. What is
counted is the whole restoration of one image as the inferencer runs it:
padding, the EEDTP conditioning at the task's t_mat (cached, as at test
time), adapters, and every sampling step of a diffusion model (DiffIR S2's
4 prior steps, DiffUIR's sampler).
"""
import argparse
import logging
import os.path as osp
import sys

import torch
from torch import nn

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))


class _Restore(nn.Module):
    """The inferencer's forward as a module (the counter traces modules)."""

    def __init__(self, inferencer):
        super().__init__()
        self.model = inferencer.model
        self.forward_fn = inferencer.network_forward()

    def forward(self, x):
        return self.forward_fn(x)


def complexity(inferencer, shape=(256, 256)) -> dict:
    """{'flops', 'params', 'generator_params', 'table'} at (H, W)."""
    from mmengine.analysis import get_model_complexity_info
    from mmengine.logging import MMLogger
    model = inferencer.model
    x = torch.rand(1, 3, *shape, device=inferencer.device)
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.ERROR)  # one warning per uncounted operator
    try:
        with torch.no_grad():
            info = get_model_complexity_info(_Restore(inferencer), inputs=(x,),
                                             show_table=True, show_arch=False)
    finally:
        logger.setLevel(level)
    gen = getattr(model, 'generator', None)
    return dict(
        flops=int(info['flops']),
        params=sum(p.numel() for p in model.parameters()),
        generator_params=sum(p.numel() for p in gen.parameters())
        if gen is not None else None,
        table=info['out_table'])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('config', help='config file or model-index.yml name')
    p.add_argument('--shape', type=int, nargs=2, default=[256, 256],
                   metavar=('H', 'W'))
    p.add_argument('--task', help='EEDTP task (multi-task models need one)')
    p.add_argument('--t-mat', type=int)
    p.add_argument('--table', action='store_true',
                   help='print the per-module table')
    args = p.parse_args(argv)
    from mmdiffir.apis import RestorationInferencer
    inf = RestorationInferencer(args.config, None, device='cpu',
                                task=args.task, t_mat=args.t_mat, flip=1)
    inf.tile = None
    r = complexity(inf, tuple(args.shape))
    if args.table:
        print(r['table'])
    h, w = args.shape
    print(f'config:     {args.config}')
    print(f'input:      1x3x{h}x{w}' + (f' (t_mat {inf.t_mat})'
                                         if inf.t_mat is not None else ''))
    print(f'FLOPs:      {r["flops"] / 1e9:.3f} G (multiply-adds)')
    print(f'parameters: {r["params"] / 1e6:.3f} M'
          + (f' (generator {r["generator_params"] / 1e6:.3f} M)'
             if r['generator_params'] is not None else ''))
    return r


if __name__ == '__main__':
    main()
