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
import copy
import os
import os.path as osp
import platform
import statistics
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_utils import interleaved_median, psnr_ssim  # noqa: E402

CPU = 'configs/diffuir/diffuir_unet-t16_1xb8-lr5e-4-1500_allinone5-cpu.py'


def _rebase(node, data_root):
    """``data/...`` paths (roots and kernel files) -> under ``data_root``."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and (v == 'data' or v.startswith('data/')):
                node[k] = osp.join(data_root, v[len('data/'):])
            else:
                _rebase(v, data_root)
    elif isinstance(node, list):
        for v in node:
            _rebase(v, data_root)


def _cfg(args):
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, args.config))
    cfg.work_dir = args.work_dir
    cfg.experiment_name = 'benchmark_diffuir'
    cfg.train_cfg.max_iters = args.iters
    cfg.train_cfg.val_interval = args.iters + 1
    cfg.param_scheduler.T_max = args.iters
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False,
                                        interval=args.iters)
    cfg.default_hooks.logger.interval = 100
    # keep the EMA hook, drop the visualisation / table hooks (no val)
    cfg.custom_hooks = [h for h in cfg.custom_hooks if h.type == 'EMAHook']
    for h in cfg.custom_hooks:
        h.begin_iter = min(h.begin_iter, args.iters // 3)
    _rebase(cfg.train_dataloader, args.data_root)
    _rebase(cfg.test_dataloader, args.data_root)
    return cfg


def train(cfg, args):
    from mmengine.runner import Runner
    ckpt = osp.join(args.work_dir, f'iter_{args.iters}.pth')
    if args.reuse and osp.isfile(ckpt):
        print(f'reusing {ckpt}')
        return ckpt, None
    runner = Runner.from_cfg(copy.deepcopy(cfg))
    t0 = time.perf_counter()
    runner.train()
    return ckpt, time.perf_counter() - t0


def _input_psnr(dataset, limit):
    from mmagic.evaluation.metrics.psnr import psnr
    vals = []
    for i in range(min(limit, len(dataset))):
        s = dataset[i]
        gt = s['data_samples'].gt_img.numpy()
        vals.append(psnr(gt, s['inputs'].numpy(), input_order='CHW'))
    return statistics.mean(vals)


def quality(cfg, ckpt, args):
    from mmdiffir.registry import DATASETS, MODELS
    from mmdiffir.utils import safe_torch_load
    model = MODELS.build(cfg.model)
    state = safe_torch_load(ckpt, map_location='cpu')['state_dict']
    model.load_state_dict(state)  # EMAHook saved the averaged weights here
    model.eval()
    rows = {}
    runs = [(f'{s} step{"s" if s > 1 else ""}', s, None) for s in args.steps]
    runs.append(('3 steps, start noise 1.0', 3, 1.0))
    for loader in cfg.test_dataloader:
        task = loader.dataset.tasks[0].name
        dataset = DATASETS.build(loader.dataset)
        row = {'input': (_input_psnr(dataset, args.test_images), None)}
        for name, steps, noise in runs:
            model.test_cfg = dict(seed=0, sampling_steps=steps,
                                  **({} if noise is None else
                                     dict(start_noise=noise)))
            row[name] = psnr_ssim(model, dataset, args.test_images)
            print(task, name, row[name], flush=True)
        rows[task] = row
    return model, rows, [r[0] for r in runs]


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


def _markdown(args, train_s, rows, names, lat):
    import torch
    lines = [
        f'Hardware: {platform.machine()}, {os.cpu_count()} logical cores '
        f'(shared), torch {torch.__version__}, '
        f'{torch.get_num_threads()} thread(s).',
        f'Data: {args.data_root} (train: T91 + Train400 crops; test: the '
        f'128 x 128 centre of the first {args.test_images} Kodak24 photos, '
        'seeded degradation per task).',
        f'Training: {args.iters} iterations' +
        (f', {train_s / 60:.1f} min.' if train_s else
         ' (reused checkpoint).'),
        '',
        'PSNR / SSIM (RGB) of the EMA weights against sampling steps:',
        '',
        '| task | input PSNR | ' + ' | '.join(names) + ' |',
        '|---|---|' + '---|' * len(names),
    ]
    means = {n: [] for n in ['input'] + names}
    for task, row in rows.items():
        cells = [f'{row["input"][0]:.2f}']
        means['input'].append(row['input'][0])
        for n in names:
            p, s = row[n]
            means[n].append((p, s))
            cells.append(f'{p:.2f} / {s:.4f}')
        lines.append(f'| {task} | ' + ' | '.join(cells) + ' |')
    avg = [f'{statistics.mean(means["input"]):.2f}'] + [
        f'{statistics.mean(p for p, _ in means[n]):.2f} / '
        f'{statistics.mean(s for _, s in means[n]):.4f}' for n in names]
    lines += ['| average | ' + ' | '.join(avg) + ' |', '',
              f'Latency, one 3 x {args.size} x {args.size} input, median of '
              f'{args.repeats} interleaved repeats (seconds):', '',
              '| network | parameters | one UNet pass | 3-step sampler | '
              'ratio |', '|---|---|---|---|---|']
    for name, (params, med) in lat.items():
        one, three = med['one UNet pass'], med['3-step sampler']
        lines.append(f'| {name} | {params:,} | {one:.3f} | {three:.3f} | '
                     f'{three / one:.2f} |')
    return '\n'.join(lines) + '\n'


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
    if not osp.isdir(osp.join(args.data_root, 'train', 'T91')):
        raise FileNotFoundError(f'{args.data_root}/train/T91 not found (see '
                                '../shared/data/README.md); pass --data-root')

    from mmdiffir.utils import register_all_modules
    register_all_modules()
    cfg = _cfg(args)
    ckpt, train_s = train(cfg, args)
    model, rows, names = quality(cfg, ckpt, args)
    lat = latency(model, args)
    text = _markdown(args, train_s, rows, names, lat)
    print(text)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(text)


if __name__ == '__main__':
    main()
