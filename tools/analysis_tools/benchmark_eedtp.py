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
  paired, interleaved runs; the default placement runs folded);
* training step time GEF (gen_prob 0.1) / plain, and of a diffusion
  iteration alone for each L_orthog formulation;
* peak memory of a GEF diffusion step / a plain step.

    python tools/analysis_tools/benchmark_eedtp.py --iters 1000 --seeds 0 1 2 --out RESULT.md
    python tools/analysis_tools/benchmark_eedtp.py --only latency
"""
import argparse
import copy
import multiprocessing as mp
import os
import os.path as osp
import random
import statistics
import sys
import time

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


def _train_batch(batch_size=4, size=64):
    import torch
    from mmagic.structures import DataSample
    torch.manual_seed(0)
    gt = torch.rand(batch_size, 3, size, size) * 255
    return dict(inputs=list(gt + 25 * torch.randn_like(gt)),
                data_samples=[DataSample(gt_img=g) for g in gt])


def _model_and_optim(kind, gen_prob=0.1, orthog_mode=None):
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper

    from mmdiffir.registry import MODELS
    cfg = Config.fromfile(osp.join(REPO, PLAIN if kind == 'plain' else GEF))
    if kind != 'plain':
        cfg.model.pixel_loss.gen_prob = gen_prob
        if orthog_mode is not None:
            cfg.model.pixel_loss.orthog_mode = orthog_mode
    model = MODELS.build(cfg.model)
    if kind != 'plain':  # a filled anchor, as after ImportanceEstimationHook
        import torch
        params = model.trainable_params()
        model.anchor.set(params, [torch.full_like(p, 1e-3) for p in params])
    return model, build_optim_wrapper(model, cfg.optim_wrapper)


def step_time_ratios(steps=40, block=10):
    """Time per training step of each arm, blocks of ``block`` steps
    interleaved across arms. The iteration number is set in the message hub
    as the Runner does (EEDTP's diffusion coin and draws are keyed by it),
    the same numbers for every arm; the share of diffusion iterations the
    gen_prob arm actually drew is returned with the ratios."""
    from mmengine.logging import MessageHub
    hub = MessageHub.get_current_instance()
    random.seed(0)
    arms = {
        'plain': _model_and_optim('plain'),
        'gef_p0.1': _model_and_optim('eedtp', 0.1),  # default L_orthog
        'diffusion_surgery': _model_and_optim('eedtp', 1.0, 'surgery'),
        'diffusion_double_backward': _model_and_optim('eedtp', 1.0,
                                                      'double_backward'),
    }
    batch = _train_batch()
    totals = {k: 0.0 for k in arms}
    for k, (m, o) in arms.items():
        hub.update_info('iter', 0)
        m.train_step(copy.deepcopy(batch), o)  # warm up
    for r in range(steps // block):
        for k, (m, o) in arms.items():
            t0 = time.perf_counter()
            for i in range(block):
                hub.update_info('iter', 1 + r * block + i)
                m.train_step(copy.deepcopy(batch), o)
            totals[k] += time.perf_counter() - t0
    gef = arms['gef_p0.1'][0]
    drawn = 0
    for it in range(1, 1 + steps // block * block):
        hub.update_info('iter', it)
        drawn += gef.diffusion_iteration()
    return {k: totals[k] / totals['plain'] for k in arms}, {
        k: totals[k] / steps for k in arms}, drawn / steps


def _rss_bytes():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def _peak_step_memory_child(kind, queue):
    """Peak resident memory during one training step above the resident
    memory before it (sampled every 0.2 ms). The parent starts this process
    with MALLOC_MMAP_THRESHOLD_ low, so each large tensor is its own mapping
    and is returned to the system when freed: RSS then follows the live
    tensors. torch has no CPU allocator statistics to ask instead."""
    import threading
    from mmdiffir.utils import register_all_modules
    register_all_modules()
    model, optim = _model_and_optim(kind, gen_prob=1.0)
    batch = _train_batch(batch_size=8, size=192)
    model.train_step(copy.deepcopy(batch), optim)  # optimizer state exists
    base, peak, done = _rss_bytes(), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            time.sleep(0.0002)

    thread = threading.Thread(target=sample)
    thread.start()
    model.train_step(copy.deepcopy(batch), optim)
    done.set()
    thread.join()
    queue.put(max(peak[0] - base, 1))


def peak_memory():
    os.environ['MALLOC_MMAP_THRESHOLD_'] = str(1 << 16)
    ctx = mp.get_context('spawn')
    out = {}
    for kind in ('plain', 'eedtp'):
        q = ctx.Queue()
        p = ctx.Process(target=_peak_step_memory_child, args=(kind, q))
        p.start()
        out[kind] = q.get()
        p.join()
    del os.environ['MALLOC_MMAP_THRESHOLD_']
    return out


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
    parser.add_argument('--only',
                        choices=['quality', 'costs', 'latency', 'steps'],
                        help='only the quality tables (training), only the '
                        'costs (latency, step time, memory), only the '
                        'reference-size latency or only the training step '
                        'times; default: everything')
    parser.add_argument('--steps', type=int, default=40,
                        help='training steps timed per arm (multiple of 10)')
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
    if args.only in (None, 'costs', 'latency'):
        lines += [''] + latency_lines(paper_size_models(), 9,
                                      'NAFNet-w48 reference size')
    if args.only in (None, 'costs', 'steps'):
        ratios, per_step, share = step_time_ratios(args.steps)
        for k in ratios:
            if k != 'plain':
                drawn = f', {share:.0%} of its steps drew the diffusion ' \
                    'terms' if k == 'gef_p0.1' else ''
                lines.append(
                    f'- training step time {k} / plain (batch 4x64x64): '
                    f'**{ratios[k]:.2f}x** ({per_step[k] * 1e3:.0f} ms vs '
                    f'{per_step["plain"] * 1e3:.0f} ms{drawn})')
    if args.only in (None, 'costs'):
        mem = {k: v / 2**20 for k, v in peak_memory().items()}
        lines.append(
            f'- peak memory of a GEF diffusion step (default L_orthog) / a '
            f'plain step (peak RSS above the pre-step RSS, batch 8x192x192):'
            f' **{mem["eedtp"] / mem["plain"]:.2f}x** ({mem["eedtp"]:.0f} '
            f'MiB vs {mem["plain"]:.0f} MiB)')
    write_report(lines, args.out)


if __name__ == '__main__':
    main()
