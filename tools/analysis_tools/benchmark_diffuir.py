"""DiffUIR on CPU: quality against the number of sampling steps after a short
training run, and the cost of the 3-step sampler over one UNet pass.

* Training: the CPU config (5 synthetic tasks from the clean photos of
  ``data/train``, haze 4 : low light 1 : rain 2 : snow 2 : blur 1) for
  ``--iters`` iterations with the real Runner (EMA included).
* Quality: PSNR / SSIM (RGB, 0-255) of the EMA weights on the config's test
  sets (the 128 x 128 centre of the first ``--test-images`` Kodak24 photos,
  each degraded once per task with a fixed seed) for every ``--steps`` value,
  plus the degraded input's PSNR, and 3 steps started from noise std 1.0 (the
  training marginal) instead of the released 0.1.
* Latency: one UNet pass vs the 3-step sampler on a ``--size`` input, for the
  trained network and for DiffUIR-T (32-(1, 1, 1, 1), random weights: cost
  does not depend on them), median of interleaved repeats.

    OMP_NUM_THREADS=1 python tools/analysis_tools/benchmark_diffuir.py \\
        --iters 1500 --out work_dirs/benchmark_diffuir.md
"""
import argparse
import os.path as osp
import statistics
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_harness import (REPO, header, interleaved_median,  # noqa: E402
                           psnr_ssim, setup, shrink, table, train_or_reuse,
                           write_report)

CPU = 'configs/diffuir/diffuir_unet-t16_1xb8-lr5e-4-1500_allinone5-cpu.py'


def _cfg(args):
    """The CPU config shrunk to ``--iters``, keeping its EMA hook (started
    within the first third of the run)."""
    cfg = shrink(args.config, args.work_dir, args.iters,
                 keep_hooks=('EMAHook', ), data_root=args.data_root)
    cfg.experiment_name = 'benchmark_diffuir'
    for h in cfg.custom_hooks:
        h.begin_iter = min(h.begin_iter, args.iters // 3)
    return cfg


def train_ema(cfg, args):
    """(EMA model in eval mode, training seconds or None when reused). The
    Runner's model ends holding the raw weights; EMAHook saved the averaged
    ones as the checkpoint's state_dict, so the model is always the one
    loaded from the final checkpoint."""
    _, train_s = train_or_reuse(cfg, args.reuse)
    model, _ = train_or_reuse(cfg, reuse=True)
    return model, train_s


def quality(cfg, model, args):
    from mmdiffir.registry import DATASETS
    rows = {}
    runs = [(f'{s} step{"s" if s > 1 else ""}', s, None) for s in args.steps]
    runs.append(('3 steps, start noise 1.0', 3, 1.0))
    for loader in cfg.test_dataloader:
        task = loader.dataset.tasks[0].name
        dataset = DATASETS.build(loader.dataset)
        row = {}
        for i, (name, steps, noise) in enumerate(runs):
            model.test_cfg = dict(seed=0, sampling_steps=steps,
                                  **({} if noise is None else
                                     dict(start_noise=noise)))
            if i == 0:  # the degraded input's metrics, once per task
                row[name], row['input'] = psnr_ssim(
                    model, dataset, args.test_images, inputs=True)
            else:
                row[name] = psnr_ssim(model, dataset, args.test_images)
            print(task, name, row[name], flush=True)
        rows[task] = row
    return rows, [r[0] for r in runs]


def latency(trained, args):
    import torch

    from mmdiffir.registry import MODELS
    torch.manual_seed(0)
    tiny = MODELS.build(dict(
        type='DiffUIR',
        generator=dict(type='DiffUIRUNet', dim=32, dim_mults=(1, 1, 1, 1)),
        data_preprocessor=trained.data_preprocessor))
    tiny.eval()
    lq = torch.rand(1, 3, args.size, args.size) * 2 - 1
    out = {}
    for name, model in (('trained (16-(1,1,1,1))', trained),
                        ('DiffUIR-T (32-(1,1,1,1))', tiny)):
        t = torch.full((1, ), 999, dtype=torch.long)
        tv = model.schedule.time_value(t)
        x_t = model.schedule.start(lq)
        fns = {
            'one UNet pass': lambda m=model: m.predict_residual(x_t, lq, tv),
            '3-step sampler': lambda m=model: m.restore(lq, 3),
        }
        med = interleaved_median(fns, args.repeats)
        params = sum(p.numel() for p in model.generator.parameters())
        out[name] = (params, med)
        print(name, params, med, flush=True)
    return out


def report(args, train_s, rows, names, lat):
    lines = header('benchmark_diffuir.py', args.argv) + [
        f'Data: {args.data_root} (train: T91 + Train400 crops; test: the '
        f'128 x 128 centre of the first {args.test_images} Kodak24 photos, '
        'seeded degradation per task).',
        f'Training: {args.iters} iterations' +
        (f', {train_s / 60:.1f} min.' if train_s else
         ' (reused checkpoint).'),
        '', 'PSNR / SSIM (RGB) of the EMA weights against sampling steps:',
        '']
    cols = ['input'] + names
    body = [[task] + [f'{row[n][0]:.2f} / {row[n][1]:.4f}' for n in cols]
            for task, row in rows.items()]
    body.append(['average'] + [
        f'{statistics.mean(r[n][0] for r in rows.values()):.2f} / '
        f'{statistics.mean(r[n][1] for r in rows.values()):.4f}'
        for n in cols])
    lines += table(['task'] + cols, body)
    lines += ['', f'Latency, one 3 x {args.size} x {args.size} input, median '
              f'of {args.repeats} interleaved repeats (seconds):', '']
    lines += table(
        ['network', 'parameters', 'one UNet pass', '3-step sampler', 'ratio'],
        [[name, f'{params:,}', f'{med["one UNet pass"]:.3f}',
          f'{med["3-step sampler"]:.3f}',
          f'{med["3-step sampler"] / med["one UNet pass"]:.2f}']
         for name, (params, med) in lat.items()])
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=CPU)
    parser.add_argument('--iters', type=int, default=1500)
    parser.add_argument('--steps', type=int, nargs='+',
                        default=[1, 2, 3, 5, 10])
    parser.add_argument('--test-images', type=int, default=6)
    parser.add_argument('--size', type=int, default=256,
                        help='latency input side')
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--data-root', default=osp.join(REPO, 'data'))
    parser.add_argument('--work-dir',
                        default=osp.join(REPO, 'work_dirs/benchmark_diffuir'))
    parser.add_argument('--reuse', action='store_true',
                        help='use the checkpoint of an earlier run if present')
    parser.add_argument('--out', default=None, help='markdown file')
    args = parser.parse_args(argv)
    args.argv = argv
    if not osp.isdir(osp.join(args.data_root, 'train', 'T91')):
        raise FileNotFoundError(f'{args.data_root}/train/T91 not found (see '
                                '../shared/data/README.md); pass --data-root')
    setup()
    cfg = _cfg(args)
    model, train_s = train_ema(cfg, args)
    rows, names = quality(cfg, model, args)
    lat = latency(model, args)
    write_report(report(args, train_s, rows, names, lat), args.out)


if __name__ == '__main__':
    main()
