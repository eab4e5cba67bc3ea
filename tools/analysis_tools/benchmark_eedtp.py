"""Plain training vs EEDTP (TMDDP + GEF), side by side in one run, on CPU.

Same backbone (the tiny NAFNet of the CPU configs), same data (T91 +
Train400 from data/train, Gaussian noise sigma in [0, 25]) and the same
number of iterations: plain ``N``; EEDTP ``N/2`` TMDDP + ``N/2`` GEF. Then:

* PSNR/SSIM (RGB) in distribution: CBSD68 / Kodak24 / McMaster at sigma 15
  and 25; out of distribution: sigma 50 and JPEG (quality 20) never seen in
  training;
* inference latency EEDTP / plain on the same 256x256 input (median of
  paired, interleaved runs);
* training step time GEF (gen_prob 0.1) / plain, and of a diffusion
  iteration alone for both L_orthog formulations;
* peak memory of a GEF diffusion step / a plain step (each measured in its
  own process: ru_maxrss growth over the step).

    python tools/analysis_tools/benchmark_eedtp.py --iters 1000 --out RESULT.md
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

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_utils import interleaved_median, psnr_ssim  # noqa: E402

PLAIN = 'configs/baselines/plain_nafnet-w16-tiny_1xb4-lr1e-3-2k_denoise-cpu.py'
TMDDP = 'configs/eedtp/eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu.py'
GEF = 'configs/eedtp/eedtp-gef_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-denoise-cpu.py'
SETS = ['CBSD68', 'Kodak24', 'McMaster']
CONDITIONS = [  # (name, degradation transform, in distribution?)
    ('sigma15', dict(type='AddGaussianNoise', sigma=15, seed=0), True),
    ('sigma25', dict(type='AddGaussianNoise', sigma=25, seed=0), True),
    ('sigma50', dict(type='AddGaussianNoise', sigma=50, seed=0), False),
    ('jpeg20', dict(type='JPEGCompression', quality=20, seed=0), False),
]


def _cfg(path, work_dir, iters, data_root):
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, path))
    cfg.work_dir = work_dir
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = iters + 1
    cfg.param_scheduler.T_max = iters
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.logger.interval = 100
    cfg.custom_hooks = [h for h in cfg.custom_hooks
                        if h['type'] == 'ImportanceEstimationHook']
    cfg.train_dataloader.dataset.data_root = osp.join(data_root, 'train')
    return cfg


def load_trained(args):
    """The two models of an earlier run of this script (--reuse)."""
    from mmengine.runner import load_checkpoint

    from mmdiffir.registry import MODELS
    half = args.iters // 2
    found = {
        'plain': (PLAIN, osp.join(args.work_dir, 'plain',
                                  f'iter_{args.iters}.pth')),
        'eedtp': (GEF, osp.join(args.work_dir, 'gef',
                                f'iter_{args.iters - half}.pth')),
    }
    models = {}
    for kind, (config, ckpt) in found.items():
        cfg = _cfg(config, osp.join(args.work_dir, kind), args.iters,
                   args.data_root)
        model = MODELS.build(cfg.model)
        load_checkpoint(model, ckpt, map_location='cpu', strict=True)
        models[kind] = model.eval()
    return models


def train_all(args):
    from mmengine.runner import Runner
    if args.reuse:
        return load_trained(args)
    half = args.iters // 2
    runs = {}
    cfg = _cfg(PLAIN, osp.join(args.work_dir, 'plain'), args.iters,
               args.data_root)
    runs['plain'] = Runner.from_cfg(cfg)
    runs['plain'].train()
    cfg = _cfg(TMDDP, osp.join(args.work_dir, 'tmddp'), half, args.data_root)
    Runner.from_cfg(cfg).train()
    cfg = _cfg(GEF, osp.join(args.work_dir, 'gef'), args.iters - half,
               args.data_root)
    cfg.load_from = osp.join(args.work_dir, 'tmddp', f'iter_{half}.pth')
    runs['eedtp'] = Runner.from_cfg(cfg)
    runs['eedtp'].train()
    return {k: r.model.eval() for k, r in runs.items()}


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
    """Untrained paper-size NAFNet-w48 (plain) and its EEDTP version: the
    latency ratio is a property of the architecture, not of the weights."""
    from mmengine.config import Config

    from mmdiffir.registry import MODELS
    plain = Config.fromfile(osp.join(
        REPO, 'configs/_base_/models/plain_nafnet-w32.py')).model
    plain.generator.update(mid_channels=48, enc_blk_nums=[2, 2, 4, 28],
                           middle_blk_num=6, dec_blk_nums=[2, 2, 2, 2])
    eedtp = Config.fromfile(osp.join(
        REPO, 'configs/_base_/models/eedtp_nafnet-w48.py')).model
    eedtp.stage = 'gef'
    # the foldable variant: each block's last 1x1 conv is modulated, so the
    # constant-t modulation folds into its weights at inference
    folded = copy.deepcopy(eedtp)
    folded.conditioner = dict(type='TimeConditioner', embed_dim=64,
                              name_patterns=[r'.*\.conv5'], num_steps=50)
    return {'plain': MODELS.build(plain).eval(),
            'eedtp': MODELS.build(eedtp).eval(),
            'eedtp_conv5_folded': MODELS.build(folded).eval()}


def latency_ratio(models, repeats=15, size=256):
    import torch
    x = torch.rand(1, 3, size, size)
    med = interleaved_median(
        {k: (lambda m=m: m.forward_tensor(x)) for k, m in models.items()},
        repeats)
    return med['eedtp'] / med['plain'], med


def latency_lines(models, repeats, what):
    _, med = latency_ratio(models, repeats)
    return [f'- inference latency {k} / plain, {what} (1x3x256x256, median '
            f'of {repeats} interleaved runs): **{med[k] / med["plain"]:.3f}x**'
            f' ({med[k] * 1e3:.1f} ms vs {med["plain"] * 1e3:.1f} ms)'
            for k in med if k != 'plain']


def _train_batch(batch_size=4, size=64):
    import torch
    from mmagic.structures import DataSample
    torch.manual_seed(0)
    gt = torch.rand(batch_size, 3, size, size) * 255
    return dict(inputs=list(gt + 25 * torch.randn_like(gt)),
                data_samples=[DataSample(gt_img=g) for g in gt])


def _model_and_optim(kind, gen_prob=0.1, orthog_mode='surgery'):
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper

    from mmdiffir.registry import MODELS
    cfg = Config.fromfile(osp.join(REPO, PLAIN if kind == 'plain' else GEF))
    if kind != 'plain':
        cfg.model.pixel_loss.gen_prob = gen_prob
        cfg.model.pixel_loss.orthog_mode = orthog_mode
    model = MODELS.build(cfg.model)
    if kind != 'plain':  # a filled anchor, as after ImportanceEstimationHook
        import torch
        params = model.trainable_params()
        model.anchor.set(params, [torch.full_like(p, 1e-3) for p in params])
    return model, build_optim_wrapper(model, cfg.optim_wrapper)


def step_time_ratios(steps=100, block=10):
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
        'gef_p0.1': _model_and_optim('eedtp', 0.1),
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=1000)
    parser.add_argument('--data-root', default=osp.join(REPO, 'data'))
    parser.add_argument('--work-dir', default='work_dirs/benchmark_eedtp')
    parser.add_argument('--limit', type=int, default=None,
                        help='images per test set (all by default)')
    parser.add_argument('--out', help='also write the report (markdown) here')
    parser.add_argument('--latency-only', action='store_true',
                        help='only the reference-size latency ratios')
    parser.add_argument('--reuse', action='store_true',
                        help='evaluate the checkpoints of an earlier run in '
                        '--work-dir instead of training again')
    args = parser.parse_args(argv)
    from mmdiffir.utils import register_all_modules
    register_all_modules()
    import torch
    lines = [f'# EEDTP vs plain (tiny NAFNet, {args.iters} iterations each, '
             f'CPU {os.cpu_count()} cores, torch threads '
             f'{torch.get_num_threads()})', '']
    if args.latency_only:
        print('\n'.join(latency_lines(paper_size_models(), 9,
                                       'NAFNet-w48 reference size')))
        return
    models = train_all(args)
    lines += ['| condition | set | plain PSNR/SSIM | EEDTP PSNR/SSIM | '
              'delta PSNR |', '|---|---|---|---|---|']
    for cond, deg, in_dist in CONDITIONS:
        res = {k: evaluate(m, args.data_root, deg, args.limit)
               for k, m in models.items()}
        for name in SETS + ['average']:
            if name == 'average':
                vals = {k: tuple(statistics.mean(r[s][i] for s in SETS)
                                 for i in range(2)) for k, r in res.items()}
            else:
                vals = {k: r[name] for k, r in res.items()}
            p, e = vals['plain'], vals['eedtp']
            tag = 'ID' if in_dist else 'OOD'
            lines.append(f'| {cond} ({tag}) | {name} | {p[0]:.2f}/{p[1]:.4f}'
                         f' | {e[0]:.2f}/{e[1]:.4f} | {e[0] - p[0]:+.2f} |')
        print('\n'.join(lines[-4:]), flush=True)
    lines += [''] + latency_lines(models, 15, 'tiny NAFNet')
    lines += latency_lines(paper_size_models(), 9,
                           'NAFNet-w48 reference size')
    ratios, per_step, share = step_time_ratios()
    for k in ratios:
        if k != 'plain':
            drawn = f', {share:.0%} of its steps drew the diffusion terms' \
                if k == 'gef_p0.1' else ''
            lines.append(f'- training step time {k} / plain (batch 4x64x64):'
                         f' **{ratios[k]:.2f}x** ({per_step[k] * 1e3:.0f} ms '
                         f'vs {per_step["plain"] * 1e3:.0f} ms{drawn})')
    mem = {k: v / 2**20 for k, v in peak_memory().items()}
    lines.append(f'- peak memory of a GEF diffusion step (surgery) / a plain '
                 f'step (peak RSS above the pre-step RSS, batch 8x192x192): '
                 f'**{mem["eedtp"] / mem["plain"]:.2f}x** '
                 f'({mem["eedtp"]:.0f} MiB vs {mem["plain"]:.0f} MiB)')
    report = '\n'.join(lines)
    print(report)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(report + '\n')


if __name__ == '__main__':
    main()
