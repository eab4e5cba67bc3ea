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

This residual matching saturates: sigmabar_t is flat above t ~ 35, so
noise of sigma 25, rain, low light and haze all read t = T.

**With a pre-trained TMDDP model** (``--model-config`` + ``--checkpoint``,
the recommended form) the tool instead runs ``f(y, t)`` for every t on a few
pairs and reports the t whose output has the best PSNR against the GT,
capped at the schedule's knee (the smallest t with sigmabar_t within
``--knee-tol`` of sigma_max: t = 28 for T = 50; the steps above it are one
noise level). It is the step of the model's own denoising strength that the
degradation calls for: mild degradations small t, strong ones large t, and
anything the denoiser would smooth beyond sigma_max reads the knee (see
mmdiffir/evaluation/t_mat_search.py).
How it relates to the paper's table (printed beside the result): the table
is not noise matching (noisy is t = 4 although its sigmas of 15-50 are far
above sigmabar_4 = 2.9/255); it orders tasks by how far each is from the
clean image and is the operating point of a network fine-tuned afterwards.
A derived value is on the TMDDP model's scale; compare its order across
tasks with the table's, not the numbers (the table's low-light 38, hazy 47
and blurry 50 lie above the knee, where restoration cannot tell steps apart).

Pairs come from folders (``--input-dir``/``--gt-dir``), a config's
dataloaders (``--dataset-config``), or are synthesised from clean photos
with the project's degradations (``--clean-dir`` + ``--degrade``, one set
per strength, in the order given: e.g. ``noise=5,15,50 jpeg=90,40,10``).

Examples::

    python tools/analysis_tools/derive_t_mat.py --input-dir rainy --gt-dir gt
    python tools/analysis_tools/derive_t_mat.py \\
        --dataset-config configs/baselines/xxx.py --split test
    python tools/analysis_tools/derive_t_mat.py \\
        --model-config configs/eedtp/eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu.py \\
        --checkpoint work_dirs/tmddp/iter_1000.pth \\
        --clean-dir data/denoise/Kodak24 --degrade noise=5,15,25,50 jpeg=90,50,10
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


def _subsample(items: Sequence, max_pairs: Optional[int]) -> list:
    """``max_pairs`` evenly spaced items at most (bounds the time on large
    sets)."""
    items = list(items)
    if max_pairs and len(items) > max_pairs:
        idx = np.linspace(0, len(items) - 1, max_pairs).round().astype(int)
        items = [items[i] for i in idx]
    return items


def measure(pairs: Sequence[Pair], stat: str,
            max_pairs: Optional[int] = None) -> np.ndarray:
    """Per-pair residual sigmas ([0, 1] units); ``max_pairs`` evenly spaced
    pairs at most."""
    if not pairs:
        raise ValueError('no pairs to measure')
    sigmas = []
    for img_path, gt_path in _subsample(pairs, max_pairs):
        img, q_img = read_image(img_path)
        gt, q_gt = read_image(gt_path)
        if img.shape != gt.shape:
            raise ValueError(f'input {img_path} {img.shape} and GT {gt_path} '
                             f'{gt.shape} differ in size')
        sigmas.append(residual_sigma(img, gt, stat, max(q_img, q_gt)))
    return np.asarray(sigmas)


# --degrade NAME=v1,v2,...: the project's synthetic degradations (the
# transforms of mmdiffir/datasets/transforms) and the argument each value
# sets. Strength grows with the value except for jpeg quality and low-light
# exposure, where it falls.
DEGRADATIONS = {
    'noise': ('AddGaussianNoise', 'sigma'),
    'jpeg': ('JPEGCompression', 'quality'),
    'blur': ('GaussianBlur', 'sigma'),
    'haze': ('Haze', 'beta'),
    'rain': ('RainStreaks', 'density'),
    'lowlight': ('LowLight', 'exposure'),
}


def parse_degrade(specs: Sequence[str]) -> List[Tuple[str, dict]]:
    """['noise=5,25', ...] -> [('noise=5', transform cfg), ...] in order."""
    out = []
    for spec in specs:
        name, sep, values = spec.partition('=')
        if not sep or name not in DEGRADATIONS or not values:
            raise ValueError(f'--degrade {spec!r}: expected NAME=v1,v2,... '
                             f'with NAME one of {sorted(DEGRADATIONS)}')
        kind, arg = DEGRADATIONS[name]
        for v in values.split(','):
            try:
                value = float(v)
            except ValueError:
                raise ValueError(f'--degrade {spec!r}: {v!r} is not a '
                                 'number') from None
            out.append((f'{name}={v}', dict(type=kind, seed=0,
                                            **{arg: value})))
    return out


def _centre_crop(img: np.ndarray, crop: int) -> np.ndarray:
    if not crop:
        return img
    h, w = img.shape[:2]
    top, left = max(h - crop, 0) // 2, max(w - crop, 0) // 2
    return np.ascontiguousarray(img[top:top + crop, left:left + crop])


def _read_rgb(path: str) -> np.ndarray:
    img, _ = read_image(path)
    return np.ascontiguousarray(img[..., ::-1])  # OpenCV reads BGR


def load_pairs(pairs: Sequence[Pair], max_pairs: Optional[int],
               crop: int) -> list:
    """(degraded, clean) RGB float arrays in [0, 1], centre-cropped."""
    out = []
    for img_path, gt_path in _subsample(pairs, max_pairs):
        img, gt = _read_rgb(img_path), _read_rgb(gt_path)
        if img.shape != gt.shape:
            raise ValueError(f'input {img_path} {img.shape} and GT {gt_path} '
                             f'{gt.shape} differ in size')
        out.append((_centre_crop(img, crop), _centre_crop(gt, crop)))
    return out


def synthesised_sets(clean_dir: str, specs: Sequence[str],
                     max_pairs: Optional[int], crop: int) -> Dict[str, list]:
    """One set per --degrade strength: the clean photos of ``clean_dir``
    (centre-cropped) degraded by the project's transform (seeded per image,
    8-bit rounded as a saved file would be)."""
    from mmdiffir.datasets import list_images
    from mmdiffir.registry import TRANSFORMS
    from mmdiffir.utils import register_all_modules
    register_all_modules()
    files = _subsample(list_images(clean_dir), max_pairs)
    if not files:
        raise FileNotFoundError(f'no images in {clean_dir}')
    clean = [(f, np.round(_centre_crop(_read_rgb(osp.join(clean_dir, f)),
                                       crop) * 255).astype(np.uint8))
             for f in files]
    sets = {}
    for name, tcfg in parse_degrade(specs):
        transform = TRANSFORMS.build(tcfg)
        pairs = []
        for f, gt in clean:
            res = transform(dict(gt=gt.copy(), key=f, gt_channel_order='rgb'))
            deg = np.round(res['img']) / 255.0
            pairs.append((deg, gt / 255.0))
        sets[name] = pairs
    return sets


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument('--dataset-config', help='config with *_dataloader')
    src.add_argument('--input-dir', help='folder of degraded images')
    src.add_argument('--clean-dir', help='folder of clean photos to degrade '
                     'with --degrade (one set per strength)')
    p.add_argument('--gt-dir', help='folder of clean images (with '
                   '--input-dir; files paired by stem)')
    p.add_argument('--degrade', nargs='+', metavar='NAME=V1,V2',
                   help=f'with --clean-dir: degradations and strengths, '
                   f'NAME in {sorted(DEGRADATIONS)} (values: noise sigma, '
                   'jpeg quality, blur sigma, haze beta, rain density, '
                   'lowlight exposure)')
    p.add_argument('--split', default='test', choices=['train', 'val',
                                                       'test'])
    p.add_argument('--model-config', help='config of a TMDDP (EEDTP) model; '
                   'with --checkpoint: derive t_mat by restoration')
    p.add_argument('--checkpoint', help='its trained weights')
    p.add_argument('--knee-tol', type=float, default=0.02,
                   help='model form: steps whose sigmabar is within this '
                   'fraction of sigma_max count as the knee (default 0.02)')
    p.add_argument('--crop', type=int, default=128,
                   help='model form: centre crop side (0 = whole images)')
    p.add_argument('--device', default='cpu')
    p.add_argument('--stat', default='rms', choices=['rms', 'mad'],
                   help='residual form: the statistic')
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
    if args.clean_dir and not args.degrade:
        p.error('--clean-dir needs --degrade')
    if bool(args.model_config) != bool(args.checkpoint):
        p.error('--model-config and --checkpoint go together')
    if args.clean_dir and not args.model_config:
        p.error('--clean-dir (synthesised pairs) needs the model form '
                '(--model-config, --checkpoint)')
    return args


def levels_table(sched, chosen: Dict[str, int]) -> PrettyTable:
    """Every step's sigmabar, the paper's tasks at it and the sets derived
    at it: the derived values beside the paper's table."""
    from mmdiffir.t_mat import T_MAT
    levels = PrettyTable(['t', 'sigmabar_t x255', 'paper table (§1.3)',
                          'derived here'])
    for t in range(sched.T + 1):
        paper = [n for n, v in T_MAT.items() if v == t]
        sets_at_t = [n for n, c in chosen.items() if c == t]
        levels.add_row([t, f'{sched.sigma_bars[t].item() * 255:.3f}',
                        ', '.join(paper),
                        ('<- ' + ', '.join(sets_at_t)) if sets_at_t else ''])
    return levels


def _by_model(args, sets_of_paths):
    """(chosen t per set, summary table, the model's schedule)."""
    from mmdiffir.evaluation.t_mat_search import (derive_by_restoration,
                                                  load_tmddp_model)
    model = load_tmddp_model(args.model_config, args.checkpoint, args.device)
    if args.clean_dir:
        sets = synthesised_sets(args.clean_dir, args.degrade, args.max_pairs,
                                args.crop)
    else:
        sets = {n: load_pairs(p, args.max_pairs, args.crop)
                for n, p in sets_of_paths.items()}
    found = derive_by_restoration(model, sets, knee_tol=args.knee_tol)
    summary = PrettyTable(['set', 'pairs', 'PSNR input', 'PSNR f(y, t_mat)',
                           'best PSNR (at t)', 't_mat'])
    for name, r in found.items():
        best_t = r['steps'][int(np.argmax(r['curve']))]
        summary.add_row([name, len(sets[name]), f'{r["psnr_in"]:.2f}',
                         f'{r["psnr_at_t"]:.2f}',
                         f'{r["psnr_best"]:.2f} ({best_t})', r['t_mat']])
    for name, r in found.items():
        if not r['improves']:
            print(f'note: {name}: no step of the TMDDP denoiser restores '
                  f'better than the input ({r["psnr_in"]:.2f} dB): its t_mat '
                  f'{r["t_mat"]} is a floor, not a measurement (a denoiser '
                  'cannot reduce this degradation); use the paper\'s table '
                  'or a model fine-tuned on it')
    return {n: r['t_mat'] for n, r in found.items()}, summary, model.schedule


def main(argv=None) -> Dict[str, int]:
    """Print the tables; return {set name: t_mat}."""
    args = parse_args(argv)
    from mmdiffir.models.diffusion.eedtp_schedule import EEDTPNoiseSchedule
    sets = {}
    if args.input_dir:
        name = osp.basename(osp.normpath(args.input_dir))
        sets = {name: pairs_from_folders(args.input_dir, args.gt_dir)}
    elif args.dataset_config:
        sets = pairs_from_config(args.dataset_config, args.split)

    if args.model_config:
        chosen, summary, sched = _by_model(args, sets)
        from mmdiffir.evaluation.t_mat_search import knee_step
        knee = knee_step(sched.sigma_bars.tolist(), args.knee_tol)
        how = (f'restoration by {args.checkpoint} (the best PSNR\'s t, '
               f'capped at the knee t = {knee}, where sigmabar is within '
               f'{args.knee_tol} of sigma_max)')
    else:
        sched = EEDTPNoiseSchedule(args.T, args.sigma_max / 255,
                                   args.schedule)
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
        how = f'residual statistic (--stat {args.stat})'

    print(f'noise levels ({sched!r}) beside the paper\'s t_mat table:')
    print(levels_table(sched, chosen))
    print(f't_mat per set, derived from the {how}:')
    print(summary)
    return chosen


if __name__ == '__main__':
    main(sys.argv[1:])
