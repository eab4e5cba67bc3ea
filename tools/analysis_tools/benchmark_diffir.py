"""DiffIR on CPU: stage 1 vs stage 2 quality after equal iterations, and the
inference cost of stage 2 (CPEN_S2 + 4 denoiser steps + DIRformer) over the
DIRformer alone.

* Training: the CPU deblurring configs (tiny DIRformer, Levin's 8 real
  camera-shake kernels on T91 + Train400 crops). S1 trains ``N`` iterations;
  S2 starts from that checkpoint and trains ``N`` iterations (the first 30 %
  the encoder warm-up). PSNR / SSIM (RGB) on the first ``--test-images``
  CBSD68 photos blurred with the same kernels (fixed per image): S1 (reads
  the GT through CPEN_S1: the teacher's upper bound), S2 (LQ only), and the
  blurry input.
* Latency: the reference-size deblurring S2 network (26.9M parameters) on one
  ``--size`` x ``--size`` input, S2 (Z_T ~ N(0, I) -> 4 steps -> DIRformer)
  vs the DIRformer alone with a fixed IPR, median of interleaved repeats.

    OMP_NUM_THREADS=1 python tools/analysis_tools/benchmark_diffir.py \
        --iters 600 --out work_dirs/benchmark_diffir.md
"""
import argparse
import os
import os.path as osp
import platform
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_utils import interleaved_median, psnr_ssim  # noqa: E402

S1 = 'configs/diffir/diffir-s1_dirformer-tiny_1xb4-lr1e-3-1k_t91-levin-cpu.py'
S2 = 'configs/diffir/diffir-s2_dirformer-tiny_1xb4-lr1e-3-1k_t91-levin-cpu.py'
FULL_S2 = 'configs/diffir/diffir-s2_dirformer-48_8xb8-lr2e-4-400k_gopro.py'


def _rebase(node, data_root):
    """``data/...`` file paths in transforms -> under ``data_root``."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and v.startswith('data/'):
                node[k] = osp.join(data_root, v[len('data/'):])
            else:
                _rebase(v, data_root)
    elif isinstance(node, list):
        for v in node:
            _rebase(v, data_root)


def _cfg(path, work_dir, iters, data_root):
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, path))
    cfg.work_dir = work_dir
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = iters + 1
    cfg.param_scheduler.T_max = iters
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.logger.interval = 100
    cfg.default_hooks.checkpoint.interval = iters
    cfg.custom_hooks = []
    _rebase(cfg.train_dataloader, data_root)
    _rebase(cfg.test_dataloader, data_root)
    for loader in cfg.test_dataloader:
        loader.dataset.data_root = osp.join(data_root, 'denoise')
    cfg.train_dataloader.dataset.data_root = osp.join(data_root, 'train')
    return cfg


def _trained(cfg, ckpt, reuse):
    """(model, seconds): trained by the Runner, or with ``reuse`` built and
    loaded from an existing checkpoint of an earlier run (seconds None)."""
    from mmengine.runner import Runner

    from mmdiffir.registry import MODELS
    from mmdiffir.utils import safe_torch_load
    if reuse and osp.isfile(ckpt):
        model = MODELS.build(cfg.model)
        model.load_state_dict(safe_torch_load(ckpt)['state_dict'])
        return model, None
    t0 = time.time()
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner.model, time.time() - t0


def train_and_eval(args):
    import torch

    from mmdiffir.registry import DATASETS
    s1_dir = osp.join(args.work_dir, 's1')
    cfg = _cfg(S1, s1_dir, args.iters, args.data_root)
    s1_ckpt = osp.join(s1_dir, f'iter_{args.iters}.pth')
    m1, t_s1 = _trained(cfg, s1_ckpt, args.reuse)

    s2_dir = osp.join(args.work_dir, 's2')
    cfg2 = _cfg(S2, s2_dir, args.iters, args.data_root)
    cfg2.model.s1_checkpoint = s1_ckpt
    cfg2.model.encoder_iter = int(0.3 * args.iters)
    m2, t_s2 = _trained(cfg2, osp.join(s2_dir, f'iter_{args.iters}.pth'),
                        args.reuse)

    test_cfg = cfg.test_dataloader[0].dataset
    test_cfg.indices = args.test_images
    dataset = DATASETS.build(test_cfg)
    rows = {}
    torch.manual_seed(0)  # S2 draws Z_T at test time
    for name, model in (('S1 (LQ + GT prior)', m1), ('S2 (LQ only)', m2)):
        model.eval()
        rows[name] = psnr_ssim(model, dataset)
    rows['blurry input'] = input_psnr_ssim(dataset)
    return rows, dict(s1=t_s1, s2=t_s2), len(dataset)


def input_psnr_ssim(dataset):
    import numpy as np
    from mmagic.evaluation.metrics.psnr import psnr
    from mmagic.evaluation.metrics.ssim import ssim
    scores = []
    for i in range(len(dataset)):
        item = dataset[i]
        lq = item['inputs'].numpy().astype(np.float64)
        gt = item['data_samples'].gt_img.numpy().astype(np.float64)
        scores.append((psnr(lq, gt, 0, 'CHW'), ssim(lq, gt, 0, 'CHW')))
    return tuple(float(np.mean(v)) for v in zip(*scores))


def latency(args):
    import torch
    from mmengine.config import Config

    from mmdiffir.registry import MODELS
    cfg = Config.fromfile(osp.join(REPO, FULL_S2))
    net = MODELS.build(cfg.model.generator).eval()
    n_params = sum(p.numel() for p in net.parameters())
    torch.manual_seed(0)
    x = torch.rand(1, 3, args.size, args.size)
    z = torch.randn(1, 256)
    times = interleaved_median(
        {'S2': lambda: net(x), 'DIRformer': lambda: net.dirformer(x, z)},
        repeats=args.repeats)
    return times, n_params


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--iters', type=int, default=600)
    parser.add_argument('--test-images', type=int, default=6)
    parser.add_argument('--size', type=int, default=128)
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--data-root', default=osp.join(REPO, 'data'))
    parser.add_argument('--work-dir', default='work_dirs/benchmark_diffir')
    parser.add_argument('--out', default=None)
    parser.add_argument('--skip-training', action='store_true')
    parser.add_argument('--skip-latency', action='store_true')
    parser.add_argument('--reuse', action='store_true',
                        help='evaluate the checkpoints of an earlier run in '
                        '--work-dir instead of training again')
    args = parser.parse_args(argv)
    import torch

    from mmdiffir.utils import register_all_modules
    register_all_modules()
    lines = [
        f'Command: `OMP_NUM_THREADS={os.environ.get("OMP_NUM_THREADS", "")} '
        f'python tools/analysis_tools/benchmark_diffir.py '
        f'{" ".join(argv if argv is not None else sys.argv[1:])}`',
        f'Hardware: {platform.processor() or platform.machine()}, '
        f'{os.cpu_count()} logical CPUs, torch {torch.__version__}, '
        f'{torch.get_num_threads()} thread(s)', '']
    if not args.skip_latency:
        times, n_params = latency(args)
        lines += [
            f'Inference latency, reference deblurring S2 network ({n_params:,} '
            f'parameters), one 3x{args.size}x{args.size} input, median of '
            f'{args.repeats} interleaved repeats:', '',
            '| network | seconds | ratio |', '|---|---|---|',
            f'| DIRformer alone (fixed IPR) | {times["DIRformer"]:.4f} | 1.00 |',
            f'| S2: CPEN_S2 + 4 denoiser steps + DIRformer | {times["S2"]:.4f} '
            f'| {times["S2"] / times["DIRformer"]:.3f} |', '']
    print('\n'.join(lines))
    if not args.skip_training:
        rows, secs, n = train_and_eval(args)
        lines += [
            f'S1 vs S2 after {args.iters} iterations each (S2 starts from '
            f'the S1 checkpoint, warm-up {int(0.3 * args.iters)}), CPU '
            f'deblurring configs, first {n} CBSD68 photos with Levin '
            f'kernels (RGB):', '',
            '| model | PSNR | SSIM |', '|---|---|---|']
        lines += [f'| {k} | {p:.2f} | {s:.4f} |' for k, (p, s) in
                  rows.items()]
        if secs['s1'] is not None and secs['s2'] is not None:
            lines += ['', f'Training wall time: S1 {secs["s1"]:.0f} s, S2 '
                      f'{secs["s2"]:.0f} s.']
    text = '\n'.join(lines) + '\n'
    print(text)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(text)


if __name__ == '__main__':
    main()
