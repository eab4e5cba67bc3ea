"""Inference speed of any config's model at a given resolution.

    python tools/analysis_tools/benchmark_speed.py CONFIG [CHECKPOINT]
        [--shape 512 512] [--repeats 20] [--device cpu] [--threads 2]
        [--task rain] [--flip 1] [--tile 256]

Times what ``tools/infer.py`` runs per image (normalisation, padding, the
model at its t_mat with cached conditioning, tiling / flips if asked), on
random input of the given size, after a warm-up, and prints the median
latency, images/s and megapixels/s. On a GPU every timing is synchronised.
Weights do not change the speed, so CHECKPOINT is optional.
"""
import argparse
import os.path as osp
import statistics
import sys
import time

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))


def measure(inferencer, shape=(512, 512), repeats: int = 20,
            warmup: int = 2) -> dict:
    """Median / min seconds of ``inferencer.restore_tensor`` on one
    (1, 3, H, W) image."""
    x = torch.rand(1, 3, *shape, device=inferencer.device) * 255
    sync = torch.cuda.synchronize if inferencer.device.type == 'cuda' \
        else (lambda: None)
    for _ in range(warmup):
        inferencer.restore_tensor(x)
    sync()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        inferencer.restore_tensor(x)
        sync()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    return dict(median_s=med, min_s=min(times), fps=1.0 / med,
                mpix_s=shape[0] * shape[1] / 1e6 / med, repeats=repeats)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('config', help='config file or model-index.yml name')
    p.add_argument('checkpoint', nargs='?', help='optional weights')
    p.add_argument('--shape', type=int, nargs=2, default=[512, 512],
                   metavar=('H', 'W'))
    p.add_argument('--repeats', type=int, default=20)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--device', help='cpu / cuda (default: GPU if present)')
    p.add_argument('--threads', type=int, help='torch CPU threads')
    p.add_argument('--task', help='EEDTP task (multi-task models need one)')
    p.add_argument('--t-mat', type=int)
    p.add_argument('--flip', type=int, default=1, choices=[1, 2, 4, 8])
    p.add_argument('--tile', type=int)
    p.add_argument('--tile-overlap', type=int)
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    from mmdiffir.apis import RestorationInferencer
    inf = RestorationInferencer(args.config, args.checkpoint,
                                device=args.device, task=args.task,
                                t_mat=args.t_mat, flip=args.flip,
                                tile=args.tile,
                                tile_overlap=args.tile_overlap)
    r = measure(inf, tuple(args.shape), args.repeats, args.warmup)
    h, w = args.shape
    dev = torch.cuda.get_device_name(inf.device) if inf.device.type == \
        'cuda' else f'cpu, {torch.get_num_threads()} threads'
    print(f'{args.config} @ {h}x{w} on {dev}: median '
          f'{r["median_s"] * 1e3:.1f} ms (min {r["min_s"] * 1e3:.1f} ms, '
          f'{r["repeats"]} runs), {r["fps"]:.2f} img/s, '
          f'{r["mpix_s"]:.2f} MPix/s')
    return r


if __name__ == '__main__':
    main()
