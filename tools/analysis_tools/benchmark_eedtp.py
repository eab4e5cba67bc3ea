"""Plain training vs EEDTP (TMDDP + GEF), side by side, several seeds per
arm, on CPU.

Same backbone (the tiny NAFNet of the CPU configs), same data (T91 +
Train400 from data/train, Gaussian noise sigma in [0, 25]) and the same
number of iterations per arm: plain ``N``; EEDTP ``N/2`` TMDDP + ``N/2``
GEF, once with the default placement of the time modulation (the norm
layers inside each block) and once with block-output placement (the
ablation). Every arm is trained with each seed of ``--seeds`` (the seed sets
the initialisation, the data order, the degradations and EEDTP's draws).
Then:

* PSNR/SSIM (RGB) in distribution: CBSD68 / Kodak24 / McMaster at sigma 15
  and 25; out of distribution: sigma 50 (same family) and JPEG quality 20
  (another degradation family, never seen in training);
* per condition and pair of arms, the mean, standard deviation and range
  over seeds of the paired (same-seed) PSNR difference, and whether it is
  outside the seed spread (see :func:`difference_row`);
* inference latency of the EEDTP variants / plain at NAFNet-w48 (median of
  paired, interleaved runs; the default placement runs folded).

Training cost (step times, the passes of a diffusion iteration, peak
memory): ``benchmark_eedtp_cost.py``.

    python tools/analysis_tools/benchmark_eedtp.py --iters 1000 --seeds 0 1 2 --out RESULT.md
    python tools/analysis_tools/benchmark_eedtp.py --only latency
"""
import argparse
import copy
import os
import os.path as osp
import statistics
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_harness import (REPO, header, interleaved_median,  # noqa: E402
                           checkpoint, psnr_ssim, setup, shrink,
                           train_or_reuse, write_report)

PLAIN = 'configs/baselines/plain_nafnet-w16-tiny_1xb4-lr1e-3-2k_denoise-cpu.py'
TMDDP = 'configs/eedtp/eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu.py'
GEF = 'configs/eedtp/eedtp-gef_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-denoise-cpu.py'
SETS = ['CBSD68', 'Kodak24', 'McMaster']
CONDITIONS = [  # (name, degradation transform, tag)
    ('sigma15', dict(type='AddGaussianNoise', sigma=15, seed=0), 'ID'),
    ('sigma25', dict(type='AddGaussianNoise', sigma=25, seed=0), 'ID'),
    ('sigma50', dict(type='AddGaussianNoise', sigma=50, seed=0),
     'OOD strength'),
    ('jpeg20', dict(type='JPEGCompression', quality=20, seed=0),
     'OOD family'),
]
# EEDTP arms: name -> conditioner override (None: the config's default)
EEDTP_ARMS = {
    'eedtp': None,  # norm layers inside each NAFBlock (the reference's)
    'eedtp_block': dict(block_types=['NAFBlock']),  # block outputs
}
COMPARISONS = [('eedtp', 'plain'), ('eedtp_block', 'plain'),
               ('eedtp', 'eedtp_block')]


def _cfg(path, work_dir, iters, data_root, seed, conditioner=None):
    """The config shrunk to ``iters`` (keeping the importance hook GEF
    needs), with the seed and, for an ablation arm, the conditioner
    override."""
    cfg = shrink(path, work_dir, iters, data_root=data_root, seed=seed,
                 keep_hooks=('ImportanceEstimationHook', ))
    if conditioner is not None:
        cfg.model.conditioner.update(conditioner)
    return cfg


def _train(cfg):
    """Train (or reuse the final checkpoint of an earlier run of the same
    command) and return the model in eval mode."""
    return train_or_reuse(cfg)[0]


def train_seed(args, seed):
    """The arms trained with one seed: {'plain', 'eedtp', 'eedtp_block'}."""
    half = args.iters // 2
    root = osp.join(args.work_dir, f'seed{seed}')
    models = {'plain': _train(_cfg(PLAIN, osp.join(root, 'plain'),
                                   args.iters, args.data_root, seed))}
    for arm, cond in EEDTP_ARMS.items():
        pre = _cfg(TMDDP, osp.join(root, f'{arm}_tmddp'), half,
                   args.data_root, seed, cond)
        _train(pre)
        cfg = _cfg(GEF, osp.join(root, arm), args.iters - half,
                   args.data_root, seed, cond)
        cfg.load_from = checkpoint(pre)
        models[arm] = _train(cfg)
    return models


def evaluate(model, data_root, degradation, limit=None):
    """Mean PSNR/SSIM (RGB, 0-255) of the model over each test set."""
    from mmdiffir.registry import DATASETS
    out = {}
    for name in SETS:
        ds = DATASETS.build(dict(
            type='CleanImageDataset', data_root=osp.join(data_root, 'denoise'),
            data_prefix=dict(gt=name), pipeline=[
                dict(type='LoadImageFromFile', key='gt', color_type='color',
                     channel_order='rgb', imdecode_backend='cv2'),
                degradation, dict(type='PackInputs')]))
        out[name] = psnr_ssim(model, ds, limit)
    return out


def paper_size_models():
    """Untrained paper-size NAFNet-w48 (plain) and its EEDTP versions: the
    latency ratio is a property of the architecture, not of the weights
    (the heads are randomised so that the modulation is not the identity)."""
    import torch
    from mmengine.config import Config

    from mmdiffir.registry import MODELS
    plain = Config.fromfile(osp.join(
        REPO, 'configs/_base_/models/plain_nafnet-w48.py')).model
    eedtp = Config.fromfile(osp.join(
        REPO, 'configs/_base_/models/eedtp_nafnet-w48.py')).model
    eedtp.stage = 'gef'
    block = copy.deepcopy(eedtp)
    block.conditioner.update(EEDTP_ARMS['eedtp_block'])
    models = {'plain': MODELS.build(plain).eval(),
              'eedtp': MODELS.build(eedtp).eval(),
              'eedtp_block': MODELS.build(block).eval()}
    with torch.no_grad():
        for k in ('eedtp', 'eedtp_block'):
            for head in models[k].conditioner.heads.values():
                head[-1].weight.normal_(std=0.01)
    return models


def latency_lines(models, repeats, what, size=256):
    import torch
    x = torch.rand(1, 3, size, size)
    med = interleaved_median(
        {k: (lambda m=m: m.forward_tensor(x)) for k, m in models.items()},
        repeats)
    how = {'eedtp': 'norm placement, folded into the weights',
           'eedtp_block': 'block-output placement, cached in-place'}
    return [f'- inference latency {k} ({how[k]}) / plain, {what} (1x3x{size}'
            f'x{size}, median of {repeats} interleaved runs): '
            f'**{med[k] / med["plain"]:.3f}x** ({med[k] * 1e3:.1f} ms vs '
            f'{med["plain"] * 1e3:.1f} ms)' for k in med if k != 'plain']


def summary(values):
    """(mean, sample std, min, max) of a list of numbers."""
    sd = statistics.stdev(values) if len(values) > 1 else float('nan')
    return statistics.mean(values), sd, min(values), max(values)


def difference_row(diffs, spread_a, spread_b):
    """Whether the paired differences (one per seed) are outside the seed
    spread: every seed's difference has the same sign AND the mean
    difference exceeds the larger of the two arms' own standard deviations
    over seeds. Returns (mean, std, min, max, verdict)."""
    mean, sd, lo, hi = summary(diffs)
    same_sign = lo > 0 or hi < 0
    noise = max(spread_a, spread_b)
    verdict = 'yes' if same_sign and abs(mean) > noise else 'no'
    return mean, sd, lo, hi, verdict


def quality_tables(per_seed, seeds, limit):
    """Markdown lines: per-arm means over seeds, then the differences."""
    arms = list(per_seed[seeds[0]])
    lines = ['| condition | ' + ' | '.join(
        f'{a} PSNR (mean +- sd over seeds) / SSIM' for a in arms) + ' |',
        '|---|' + '---|' * len(arms)]
    diff_lines = ['| condition | comparison | mean diff PSNR | sd | min .. '
                  'max | outside seed spread |', '|---|---|---|---|---|---|']
    for cond, _, tag in CONDITIONS:
        psnr = {a: [per_seed[s][a][cond][0] for s in seeds] for a in arms}
        ssim = {a: [per_seed[s][a][cond][1] for s in seeds] for a in arms}
        cells = []
        for a in arms:
            m, sd, _, _ = summary(psnr[a])
            cells.append(f'{m:.2f} +- {sd:.2f} / '
                         f'{statistics.mean(ssim[a]):.4f}')
        lines.append(f'| {cond} ({tag}) | ' + ' | '.join(cells) + ' |')
        for a, b in COMPARISONS:
            diffs = [x - y for x, y in zip(psnr[a], psnr[b])]
            m, sd, lo, hi, verdict = difference_row(
                diffs, summary(psnr[a])[1], summary(psnr[b])[1])
            diff_lines.append(f'| {cond} ({tag}) | {a} - {b} | {m:+.3f} | '
                              f'{sd:.3f} | {lo:+.3f} .. {hi:+.3f} | '
                              f'{verdict} |')
    what = 'all images' if limit is None else f'the first {limit} images'
    return [f'PSNR/SSIM averaged over CBSD68, Kodak24 and McMaster ({what} '
            f'of each), seeds {seeds}:', ''] + lines + [
                '', 'Paired (same seed) PSNR differences:', ''] + diff_lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=1000)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--data-root', default=osp.join(REPO, 'data'))
    parser.add_argument('--work-dir', default='work_dirs/benchmark_eedtp')
    parser.add_argument('--limit', type=int, default=None,
                        help='images per test set (all by default)')
    parser.add_argument('--out', help='also write the report (markdown) here')
    parser.add_argument('--only', choices=['quality', 'latency'],
                        help='only the quality tables (training) or only '
                        'the reference-size latency; default: both')
    args = parser.parse_args(argv)
    if len(args.seeds) < 3 and args.only in (None, 'quality'):
        parser.error('--seeds: at least 3 seeds, so that a spread exists')
    setup()
    import torch
    trained = f'tiny NAFNet, {args.iters} iterations per arm; ' \
        if args.only in (None, 'quality') else ''
    lines = [f'# EEDTP vs plain ({args.only or "everything"}; {trained}CPU '
             f'{os.cpu_count()} cores, torch threads '
             f'{torch.get_num_threads()})', ''] + header(
                 'benchmark_eedtp.py', argv)
    if args.only in (None, 'quality'):
        per_seed = {}
        for seed in args.seeds:
            models = train_seed(args, seed)
            per_seed[seed] = {}
            for arm, model in models.items():
                per_seed[seed][arm] = {}
                for cond, deg, _ in CONDITIONS:
                    res = evaluate(model, args.data_root, deg, args.limit)
                    per_seed[seed][arm][cond] = tuple(
                        statistics.mean(res[s][i] for s in SETS)
                        for i in range(2))
                print(f'seed {seed} {arm}: {per_seed[seed][arm]}',
                      flush=True)
        lines += quality_tables(per_seed, args.seeds, args.limit)
    if args.only in (None, 'latency'):
        lines += [''] + latency_lines(paper_size_models(), 9,
                                      'NAFNet-w48 reference size')
    write_report(lines, args.out)


if __name__ == '__main__':
    main()
