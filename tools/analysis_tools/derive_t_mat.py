"""Derive EEDTP's t_mat for a paired data set (METHODS.md §1.3).

The restoration pass of a task runs at a fixed step t_mat; milder
degradations sit at smaller t. This tool measures how strong the set's
degradation residual ``r = input - gt`` (images in [0, 1]) is, as an
effective Gaussian sigma, and picks the step whose sigmabar_t is nearest
(clamped to 1..T: residuals stronger than sigma_max map to T).

Statistics (``--stat``), per pair, in [0, 1] units:
  rms  sqrt(mean(r^2)) over all pixels and channels: the residual's total
       energy. Structured degradations (haze veil, low light, blur) count in
       full, which is what puts them at large t. Default.
  mad  1.4826 * median|d - median(d)|, d = horizontal neighbour difference
       of r divided by sqrt(2): a robust sigma of the residual's pixel-level
       noise only (smooth offsets cancel in d, sparse outliers such as rain
       streaks barely move a median). The median is interpolated within the
       images' quantisation step so that 8-bit data gives unbiased values
       (its floor: a flat residual reads ~0.27/255, still t = 1).
The per-pair values are averaged (``--reduce mean``, default, or median).

Examples::

    python tools/analysis_tools/derive_t_mat.py --input-dir rainy --gt-dir gt
    python tools/analysis_tools/derive_t_mat.py \\
        --dataset-config configs/baselines/xxx.py --split test
"""
import argparse
import copy
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from prettytable import PrettyTable

Pair = Tuple[str, str]


def read_image(path: str) -> Tuple[np.ndarray, float]:
    """(H, W, 3) float64 image in [0, 1] and its quantisation step."""
    img = cv2.imread(path, cv2.IMREAD_COLOR | cv2.IMREAD_ANYDEPTH)
    if img is None:
        raise OSError(f'cannot read image {path}')
    if img.dtype.kind == 'f':
        return img.astype(np.float64), 0.0
    peak = float(np.iinfo(img.dtype).max)
    return img.astype(np.float64) / peak, 1.0 / peak


def _interpolated_median(values: np.ndarray, step: float) -> float:
    """Median of values that are multiples of ``step`` (quantised data),
    interpolated inside the median's bin as for grouped data; a plain median
    of 8-bit residuals would only take a few discrete values."""
    m = float(np.median(values))
    if step <= 0:
        return m
    lo, hi = max(m - step / 2, 0.0), m + step / 2
    below = np.count_nonzero(values < lo)
    inside = np.count_nonzero((values >= lo) & (values < hi))
    if inside == 0:
        return m
    return lo + (values.size / 2 - below) / inside * (hi - lo)


def residual_sigma(img: np.ndarray, gt: np.ndarray, stat: str = 'rms',
                   step: float = 0.0) -> float:
    """Effective sigma ([0, 1] units) of the residual ``img - gt``.

    Args:
        img, gt (ndarray): (H, W[, C]) images in [0, 1], same shape.
        stat (str): 'rms' or 'mad' (see the module docstring).
        step (float): quantisation step of the images (1/255 for 8-bit),
            used by 'mad'.
    """
    r = img - gt
    if stat == 'rms':
        return float(np.sqrt(np.mean(r**2)))
    if stat == 'mad':
        # d has variance 2 sigma^2 for i.i.d. noise, hence the sqrt(2).
        d = (r[:, 1:] - r[:, :-1]).ravel()
        dev = np.abs(d - np.median(d))
        return 1.4826 * _interpolated_median(dev, step) / np.sqrt(2)
    raise ValueError(f"stat must be 'rms' or 'mad', got {stat!r}")


def aggregate(values: Sequence[float], reduce: str = 'mean') -> float:
    """Mean or median of the per-pair sigmas."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        raise ValueError('no residual sigmas to aggregate')
    if reduce not in ('mean', 'median'):
        raise ValueError(f"reduce must be 'mean' or 'median', got {reduce!r}")
    return float(values.mean() if reduce == 'mean' else np.median(values))


def derive_t_mat(residual_sigmas: Sequence[float], schedule,
                 reduce: str = 'mean') -> int:
    """The step in 1..T whose sigmabar is nearest to the set's residual sigma.

    Args:
        residual_sigmas: per-pair sigmas in [0, 1] units.
        schedule: an ``EEDTPNoiseSchedule`` (anything with step_for_sigma).
        reduce (str): 'mean' or 'median' over the pairs.
    """
    return int(schedule.step_for_sigma(aggregate(residual_sigmas, reduce)))


def pairs_from_folders(input_dir: str, gt_dir: str) -> List[Pair]:
    """(input, gt) paths matched by file stem (PairedImageDataset's rules:
    an unmatched file is an error naming it)."""
    from mmdiffir.datasets import PairedImageDataset
    ds = PairedImageDataset(
        data_prefix=dict(img=osp.abspath(input_dir), gt=osp.abspath(gt_dir)),
        pipeline=[], serialize_data=False)
    return [(ds.get_data_info(i)['img_path'], ds.get_data_info(i)['gt_path'])
            for i in range(len(ds))]


def pairs_from_config(config: str, split: str) -> Dict[str, List[Pair]]:
    """Per data set of ``{split}_dataloader`` (one or a list of loaders, as
    with MultiTestLoop), the (input, gt) paths its dataset lists."""
    from mmengine.config import Config

    from mmdiffir.registry import DATASETS
    from mmdiffir.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(config)
    key = f'{split}_dataloader'
    loaders = cfg.get(key)
    if not loaders:
        raise KeyError(f'{config} has no {key}')
    loaders = loaders if isinstance(loaders, (list, tuple)) else [loaders]
    sets: Dict[str, List[Pair]] = {}
    for i, loader in enumerate(loaders):
        ds_cfg = copy.deepcopy(loader['dataset'])
        ds_cfg['pipeline'] = []  # only the file lists are needed
        ds = DATASETS.build(ds_cfg)
        infos = [ds.get_data_info(j) for j in range(len(ds))]
        if infos and not {'img_path', 'gt_path'} <= set(infos[0]):
            raise KeyError(f'{config}: {key}[{i}].dataset '
                           f'({ds_cfg.get("type")}) items have no img_path/'
                           f'gt_path; it is not a paired dataset')
        name = ds.metainfo.get('dataset_type') or f'{split}{i}'
        if name in sets:
            name = f'{name}[{i}]'
        sets[name] = [(d['img_path'], d['gt_path']) for d in infos]
    return sets


def measure(pairs: Sequence[Pair], stat: str,
            max_pairs: Optional[int] = None) -> np.ndarray:
    """Per-pair residual sigmas ([0, 1] units); ``max_pairs`` evenly spaced
    pairs at most, to bound the time on large sets."""
    if not pairs:
        raise ValueError('no pairs to measure')
    if max_pairs and len(pairs) > max_pairs:
        idx = np.linspace(0, len(pairs) - 1, max_pairs).round().astype(int)
        pairs = [pairs[i] for i in idx]
    sigmas = []
    for img_path, gt_path in pairs:
        img, q_img = read_image(img_path)
        gt, q_gt = read_image(gt_path)
        if img.shape != gt.shape:
            raise ValueError(f'input {img_path} {img.shape} and GT {gt_path} '
                             f'{gt.shape} differ in size')
        sigmas.append(residual_sigma(img, gt, stat, max(q_img, q_gt)))
    return np.asarray(sigmas)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument('--dataset-config', help='config with *_dataloader')
    src.add_argument('--input-dir', help='folder of degraded images')
    p.add_argument('--gt-dir', help='folder of clean images (with '
                   '--input-dir; files paired by stem)')
    p.add_argument('--split', default='test', choices=['train', 'val',
                                                       'test'])
    p.add_argument('--stat', default='rms', choices=['rms', 'mad'])
    p.add_argument('--reduce', default='mean', choices=['mean', 'median'])
    p.add_argument('--max-pairs', type=int, default=None)
    p.add_argument('--T', type=int, default=50)
    p.add_argument('--sigma-max', type=float, default=10.0,
                   help='sigma_max on the 0-255 scale (default 10)')
    p.add_argument('--schedule', default='linear',
                   choices=['linear', 'cosine'])
    args = p.parse_args(argv)
    if args.input_dir and not args.gt_dir:
        p.error('--input-dir needs --gt-dir')
    return args


def main(argv=None) -> Dict[str, int]:
    """Print the tables; return {set name: t_mat}."""
    args = parse_args(argv)
    from mmdiffir.models.diffusion.eedtp_schedule import EEDTPNoiseSchedule
    sched = EEDTPNoiseSchedule(args.T, args.sigma_max / 255, args.schedule)
    if args.input_dir:
        name = osp.basename(osp.normpath(args.input_dir))
        sets = {name: pairs_from_folders(args.input_dir, args.gt_dir)}
    else:
        sets = pairs_from_config(args.dataset_config, args.split)

    summary = PrettyTable(['set', 'pairs', f'{args.stat} x255 '
                           f'({args.reduce})', 'std x255', 't_mat',
                           'sigmabar x255'])
    chosen: Dict[str, int] = {}
    for name, pairs in sets.items():
        sig = measure(pairs, args.stat, args.max_pairs)
        t = derive_t_mat(sig, sched, args.reduce)
        chosen[name] = t
        agg = aggregate(sig, args.reduce)
        summary.add_row([name, len(sig), f'{agg * 255:.3f}',
                         f'{sig.std() * 255:.3f}', t,
                         f'{sched.sigma_bars[t].item() * 255:.3f}'])
        if agg > sched.sigma_max:
            print(f'note: {name}: residual {agg * 255:.2f}/255 exceeds '
                  f'sigma_max, clamped to t = T = {sched.T}')

    levels = PrettyTable(['t', 'sigmabar_t x255', 'chosen for'])
    for t in range(sched.T + 1):
        sets_at_t = [n for n, c in chosen.items() if c == t]
        levels.add_row([t, f'{sched.sigma_bars[t].item() * 255:.3f}',
                        ('<- ' + ', '.join(sets_at_t)) if sets_at_t else ''])
    print(f'noise levels ({sched!r}):')
    print(levels)
    print(f'residual statistic per set (--stat {args.stat}):')
    print(summary)
    return chosen


if __name__ == '__main__':
    main(sys.argv[1:])
