"""Plain all-in-one training vs EEDTP MTUL, side by side in one run, on CPU.

Same backbone (the tiny NAFNet of the CPU configs), same data (the 6-task
CPU stand-in of configs/_base_/datasets/all_in_one_cpu.py: noise, rain,
JPEG, low light, haze, blur synthesised on ../shared/data photos), the same
total number of iterations:

* plain: ``N`` iterations, all tasks mixed from the start, L1;
* EEDTP: ``N/2`` TMDDP on clean photos, then ``N/2`` MTUL (tasks enter in
  ascending t_mat: five stages of N/20 and a last stage of N/4 with all
  tasks, fresh Adam + cosine per stage, gen_prob ramped 0 -> 0.1, TaskAdapters
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
import statistics
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_utils import interleaved_median, psnr_ssim  # noqa: E402

PLAIN = 'configs/baselines/plain_nafnet-w16-tiny_1xb4-lr1e-3-2k_allinone6-cpu.py'
TMDDP = 'configs/eedtp/eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu.py'
MTUL = 'configs/eedtp/eedtp-mtul_nafnet-w16-tiny_1xb4-lr1e-3-1k_allinone6-cpu.py'


def _cfg(path, work_dir, iters, joint=False):
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, path))
    if joint:  # the ablation: all tasks at once, no adapters, one cosine
        cfg.model.adapter = None
        cfg.train_dataloader.sampler.stage_iters = None
        cfg.custom_hooks = [h for h in cfg.custom_hooks
                            if h['type'] != 'IncrementalScheduleHook']
        cfg.param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False,
                                   T_max=iters, eta_min=1e-7)
    cfg.work_dir = work_dir
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = iters + 1
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.logger.interval = 100
    cfg.custom_hooks = [h for h in cfg.custom_hooks if h['type'] in (
        'ImportanceEstimationHook', 'IncrementalScheduleHook')]
    if cfg.param_scheduler.type == 'CosineRestartLR':
        # five stages of 10% and a last (all tasks) stage of 50%
        stages = [iters // 10] * 5
        stages.append(iters - sum(stages))
        cfg.train_dataloader.sampler.stage_iters = stages
        cfg.param_scheduler.periods = stages
    else:
        cfg.param_scheduler.T_max = iters
    return cfg


def train_all(args):
    from mmengine.runner import Runner, load_checkpoint

    from mmdiffir.registry import MODELS
    half = args.iters // 2
    arms = {'plain': (PLAIN, args.iters, 'plain'),
            'mtul': (MTUL, args.iters - half, 'mtul')}
    if not args.reuse:
        Runner.from_cfg(_cfg(PLAIN, osp.join(args.work_dir, 'plain'),
                             args.iters)).train()
        Runner.from_cfg(_cfg(TMDDP, osp.join(args.work_dir, 'tmddp'),
                             half)).train()
        cfg = _cfg(MTUL, osp.join(args.work_dir, 'mtul'), args.iters - half)
        cfg.load_from = osp.join(args.work_dir, 'tmddp', f'iter_{half}.pth')
        Runner.from_cfg(cfg).train()
    if args.ablation:
        arms['joint'] = (MTUL, args.iters - half, 'joint')
        joint = osp.join(args.work_dir, 'joint')
        if not osp.isfile(osp.join(joint, f'iter_{args.iters - half}.pth')):
            cfg = _cfg(MTUL, joint, args.iters - half, joint=True)
            cfg.load_from = osp.join(args.work_dir, 'tmddp',
                                     f'iter_{half}.pth')
            Runner.from_cfg(cfg).train()
    models = {}
    for kind, (config, iters, sub) in arms.items():
        cfg = _cfg(config, osp.join(args.work_dir, sub), iters,
                   joint=sub == 'joint')
        model = MODELS.build(cfg.model)
        load_checkpoint(model, osp.join(args.work_dir, sub,
                                        f'iter_{iters}.pth'),
                        map_location='cpu', strict=True)
        models[kind] = model.eval()
    return models


def test_sets():
    """(task name, dataset) of the CPU stand-in's test loaders."""
    from mmengine.config import Config

    from mmdiffir.registry import DATASETS
    cfg = Config.fromfile(osp.join(REPO, MTUL))
    return [(d.dataset.tasks[0].name, DATASETS.build(d.dataset))
            for d in cfg.test_dataloader]


def adapter_overhead(model_cfg, state_dict=None, size=256, repeats=15):
    """Median latency of the model with its adapters / without them (the
    same weights otherwise) at the first task's t_mat."""
    import torch
    from mmagic.structures import DataSample

    from mmdiffir.registry import MODELS
    with_ad = MODELS.build(model_cfg)
    bare_cfg = model_cfg.copy()
    bare_cfg.pop('adapter')
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

    from mmdiffir.utils import register_all_modules
    register_all_modules()
    import torch
    models = train_all(args)
    lines = [f'# Plain all-in-one vs EEDTP MTUL (tiny NAFNet, {args.iters} '
             f'iterations each, 6-task CPU stand-in, Kodak24; CPU '
             f'{os.cpu_count()} cores, torch threads '
             f'{torch.get_num_threads()})', '']
    others = [k for k in models if k != 'plain']
    lines += ['| task | ' + ' | '.join(f'{k} PSNR/SSIM' for k in models) +
              ' | ' + ' | '.join(f'{k} - plain' for k in others) + ' |',
              '|---' * (1 + len(models) + len(others)) + '|']
    res = {k: {} for k in models}

    def row(name, vals, bold=False):
        fmt = '**{:+.2f}**' if bold else '{:+.2f}'
        return (f'| {name} | ' + ' | '.join(
            f'{vals[k][0]:.2f}/{vals[k][1]:.4f}' for k in models) + ' | ' +
            ' | '.join(fmt.format(vals[k][0] - vals['plain'][0])
                       for k in others) + ' |')

    for name, ds in test_sets():
        for k, m in models.items():
            res[k][name] = psnr_ssim(m, ds, args.limit)
        lines.append(row(name, {k: res[k][name] for k in models}))
        print(lines[-1], flush=True)
    avg = {k: [statistics.mean(v[i] for v in r.values()) for i in range(2)]
           for k, r in res.items()}
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
    report = '\n'.join(lines)
    print(report)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(report + '\n')


if __name__ == '__main__':
    main()
