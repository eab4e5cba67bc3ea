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
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_harness import (REPO, header, interleaved_median,  # noqa: E402
                           psnr_ssim, setup, shrink, train_or_reuse,
                           write_report)

S1 = 'configs/diffir/diffir-s1_dirformer-tiny_1xb4-lr1e-3-1k_t91-levin-cpu.py'
S2 = 'configs/diffir/diffir-s2_dirformer-tiny_1xb4-lr1e-3-1k_t91-levin-cpu.py'
FULL_S2 = 'configs/diffir/diffir-s2_dirformer-48_8xb8-lr2e-4-400k_gopro.py'


def _cfg(path, work_dir, iters, data_root):
    cfg = shrink(path, work_dir, iters, data_root=data_root)
    for loader in cfg.test_dataloader:
        loader.dataset.data_root = osp.join(data_root, 'denoise')
    cfg.train_dataloader.dataset.data_root = osp.join(data_root, 'train')
    return cfg


def train_and_eval(args):
    import torch

    from mmdiffir.registry import DATASETS
    s1_dir = osp.join(args.work_dir, 's1')
    cfg = _cfg(S1, s1_dir, args.iters, args.data_root)
    s1_ckpt = osp.join(s1_dir, f'iter_{args.iters}.pth')
    m1, t_s1 = train_or_reuse(cfg, args.reuse)

    s2_dir = osp.join(args.work_dir, 's2')
    cfg2 = _cfg(S2, s2_dir, args.iters, args.data_root)
    cfg2.model.s1_checkpoint = s1_ckpt
    cfg2.model.encoder_iter = int(0.3 * args.iters)
    m2, t_s2 = train_or_reuse(cfg2, args.reuse)

    test_cfg = cfg.test_dataloader[0].dataset
    test_cfg.indices = args.test_images
    dataset = DATASETS.build(test_cfg)
    rows = {}
    torch.manual_seed(0)  # S2 draws Z_T at test time
    rows['S1 (LQ + GT prior)'], blurry = psnr_ssim(m1, dataset, inputs=True)
    rows['S2 (LQ only)'] = psnr_ssim(m2, dataset)
    rows['blurry input'] = blurry
    return rows, dict(s1=t_s1, s2=t_s2), len(dataset)


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
    setup()
    lines = header('benchmark_diffir.py', argv)
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
    write_report(lines, args.out)


if __name__ == '__main__':
    main()
