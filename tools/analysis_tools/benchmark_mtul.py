"""Plain all-in-one training vs EEDTP MTUL, side by side in one run, on CPU.

Same backbone (the tiny NAFNet of the CPU configs), same data (the 6-task
CPU stand-in of configs/_base_/datasets/all_in_one_cpu.py: noise, rain,
JPEG, low light, haze, blur synthesised on ../shared/data photos), the same
total number of iterations:

* plain: ``N`` iterations, all tasks mixed from the start, L1;
* EEDTP: ``N/2`` TMDDP on clean photos, then ``N/2`` MTUL (tasks enter in
  ascending t_mat, one stage per t_mat with the config's stage lengths
  scaled to ``N/2`` -- five stages of N/20 and a last one of N/4 with all
  tasks for the CPU config --, fresh Adam + cosine per stage, TaskAdapters
  after the decoder levels).

With ``--ablation`` a third arm separates what the incremental schedule and
the adapters add from what the t_mat conditioning alone gives: the same
TMDDP checkpoint fine-tuned ``N/2`` iterations on all tasks at once (GEF
loss, each sample at its t_mat), no stages, no adapters.

Reported: per-task and average PSNR/SSIM (RGB) on Kodak24 with a fixed
degradation per image, and the adapters' inference-time overhead (same
trained model with and without its adapters, and the reference-size
NAFNet-w48; median of interleaved runs on 1x3x256x256).

    python tools/analysis_tools/benchmark_mtul.py --iters 2000 --out RESULT.md
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_harness import (REPO, header, interleaved_median,  # noqa: E402
                           mean_metrics, psnr_ssim, setup, shrink,
                           train_or_reuse, write_report)

PLAIN = 'configs/baselines/plain_nafnet-w16-tiny_1xb4-lr1e-3-2k_allinone6-cpu.py'
TMDDP = 'configs/eedtp/eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu.py'
MTUL = 'configs/eedtp/eedtp-mtul_nafnet-w16-tiny_1xb4-lr1e-3-1k_allinone6-cpu.py'
TRAIN_HOOKS = ('ImportanceEstimationHook', 'IncrementalScheduleHook')


def _cfg(path, work_dir, iters, joint=False):
    """The config shrunk to ``iters`` (MTUL: its stages in the config's
    proportions); ``joint``: the ablation, all tasks at once, no adapters,
    one cosine."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, path))
    if joint:
        # no adapter: the restorer wants a default t_mat; every sample
        # carries its own, so the noise task's 4 is never used
        cfg.model.adapter, cfg.model.t_mat = None, 4
        cfg.train_dataloader.sampler.stage_iters = None
        cfg.custom_hooks = [h for h in cfg.custom_hooks
                            if h['type'] != 'IncrementalScheduleHook']
        cfg.param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False,
                                   T_max=iters, eta_min=1e-7)
    return shrink(cfg, work_dir, iters, keep_hooks=TRAIN_HOOKS)


def stage_count(path=MTUL) -> int:
    """How many MTUL stages the config has (its sampler's stage_iters)."""
    from mmengine.config import Config
    return len(Config.fromfile(osp.join(REPO, path))
               .train_dataloader.sampler.stage_iters)


def train_all(args):
    half = args.iters // 2
    reuse = args.reuse
    plain = _cfg(PLAIN, osp.join(args.work_dir, 'plain'), args.iters)
    tmddp = _cfg(TMDDP, osp.join(args.work_dir, 'tmddp'), half)
    mtul = _cfg(MTUL, osp.join(args.work_dir, 'mtul'), args.iters - half)
    mtul.load_from = osp.join(tmddp.work_dir, f'iter_{half}.pth')
    models = {'plain': train_or_reuse(plain, reuse)[0]}
    if not reuse:
        train_or_reuse(tmddp, reuse)
    models['mtul'] = train_or_reuse(mtul, reuse)[0]
    if args.ablation:  # trained once, reused by later runs
        joint = _cfg(MTUL, osp.join(args.work_dir, 'joint'),
                     args.iters - half, joint=True)
        joint.load_from = mtul.load_from
        models['joint'] = train_or_reuse(joint, reuse=True)[0]
    return models


def test_sets():
    """(task name, dataset config, metrics) of the CPU stand-in's test
    loaders and evaluators."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, MTUL))
    return [(d.dataset.tasks[0].name, d.dataset, m)
            for d, m in zip(cfg.test_dataloader, cfg.test_evaluator)]


def adapter_overhead(model_cfg, state_dict=None, size=256, repeats=15):
    """Median latency of the model with its adapters / without them (the
    same weights otherwise) at the first task's t_mat."""
    import torch
    from mmagic.structures import DataSample

    from mmdiffir.registry import MODELS
    with_ad = MODELS.build(model_cfg)
    bare_cfg = model_cfg.copy()
    bare_cfg.pop('adapter')
    bare_cfg.t_mat = 4  # the restorer wants one without adapters
    bare = MODELS.build(bare_cfg)
    if state_dict is not None:
        with_ad.load_state_dict(state_dict)
    bare.load_state_dict(with_ad.state_dict(), strict=False)
    x = torch.rand(1, 3, size, size)
    samples = DataSample(metainfo=dict(t_mat=4))
    med = interleaved_median({
        'adapters': lambda: with_ad.eval().forward_tensor(x, samples),
        'bare': lambda: bare.eval().forward_tensor(x, samples)}, repeats)
    return med['adapters'] / med['bare'], med


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=2000)
    parser.add_argument('--work-dir', default='work_dirs/benchmark_mtul')
    parser.add_argument('--limit', type=int, default=None,
                        help='images per task (all 24 by default)')
    parser.add_argument('--out', help='also write the report (markdown) here')
    parser.add_argument('--ablation', action='store_true',
                        help='add the joint arm (t_mat conditioning only)')
    parser.add_argument('--reuse', action='store_true',
                        help='evaluate the checkpoints of an earlier run in '
                        '--work-dir instead of training again')
    args = parser.parse_args(argv)
    os.chdir(REPO)  # the configs read data/ relative to the repository
    from mmengine.config import Config
    setup()
    models = train_all(args)
    lines = [f'# Plain all-in-one vs EEDTP MTUL (tiny NAFNet, {args.iters} '
             f'iterations each, MTUL in {stage_count()} stages, 6-task CPU '
             'stand-in, Kodak24)', ''] + header('benchmark_mtul.py', argv)
    others = [k for k in models if k != 'plain']
    lines += ['| task | input PSNR/SSIM | ' + ' | '.join(
        f'{k} PSNR/SSIM' for k in models) + ' | ' + ' | '.join(
            f'{k} - plain' for k in others) + ' |',
        '|---' * (2 + len(models) + len(others)) + '|']
    res = {k: {} for k in ['input', *models]}

    def row(name, vals, bold=False):
        fmt = '**{:+.2f}**' if bold else '{:+.2f}'
        return (f'| {name} | ' + ' | '.join(
            f'{vals[k][0]:.2f}/{vals[k][1]:.4f}' for k in ['input', *models])
            + ' | ' + ' | '.join(fmt.format(vals[k][0] - vals['plain'][0])
                                 for k in others) + ' |')

    for name, ds, metrics in test_sets():
        for k, m in models.items():
            res[k][name], res['input'][name] = psnr_ssim(
                m, ds, args.limit, metrics, prefix=name, inputs=True)
        lines.append(row(name, {k: res[k][name] for k in res}))
        print(lines[-1], flush=True)
    avg = {k: mean_metrics(r.values()) for k, r in res.items()}
    lines += [row('**average**', avg, bold=True), '']
    mtul = models['mtul']
    frac = mtul.adapter.num_parameters() / sum(
        p.numel() for p in mtul.generator.parameters())
    ratio, med = adapter_overhead(
        Config.fromfile(osp.join(REPO, MTUL)).model, mtul.state_dict())
    lines.append(f'- adapters: {mtul.adapter.num_parameters():,} parameters '
                 f'= {frac:.1%} of the backbone; inference latency with / '
                 f'without them (trained tiny NAFNet, 1x3x256x256, median of '
                 f'15 interleaved runs): **{ratio:.3f}x** '
                 f'({med["adapters"] * 1e3:.1f} ms vs '
                 f'{med["bare"] * 1e3:.1f} ms)')
    ref = Config.fromfile(osp.join(
        REPO, 'configs/_base_/models/eedtp_nafnet-w48.py')).model
    ref.stage = 'gef'
    ref.adapter = dict(type='TaskAdapter', name_patterns=[r'decoders\.\d+'])
    ratio, med = adapter_overhead(ref, repeats=7)
    lines.append(f'- reference size (NAFNet-w48, 10 experts after each of '
                 f'the 4 decoder levels, untrained): latency with / without '
                 f'adapters **{ratio:.3f}x** ({med["adapters"] * 1e3:.0f} ms '
                 f'vs {med["bare"] * 1e3:.0f} ms, median of 7)')
    write_report(lines, args.out)


if __name__ == '__main__':
    main()
