"""One-GPU cost of the paper-size models: training images/s and peak GPU
memory in fp32, bf16 and fp16 (the same MixedPrecisionOptimWrapper as
``tools/train.py --amp``), and inference latency at 1280x720 (a GoPro
frame) with the EEDTP / plain and DiffUIR 3-step / one-pass ratios. Prints
one table; budgeted for under 8 minutes on one GPU.

    python tools/analysis_tools/benchmark_gpu.py            # on a GPU
    python tools/analysis_tools/benchmark_gpu.py --tiny     # CPU smoke run
    python tools/analysis_tools/benchmark_gpu.py --tiny --dtypes bf16

A precision not in ``--dtypes`` shows as '-'.

Rows: plain NAFNet-w48 (the EEDTP backbone alone, L1), EEDTP GEF at
NAFNet-w48 with gen_prob 0.1 (the coin keyed by iteration, as in training)
and a diffusion iteration alone (gen_prob 1), DiffIR S2 deblur (DIRformer-48
with its S1 teacher, randomly initialised: cost does not depend on the
weights) and DiffUIR-L. Inputs are random images at each config's training
crop and per-GPU batch. ``--tiny`` keeps the models but uses batch 1,
32-pixel crops, 64x64 inference and 1 + 2 steps, so the tests can run it.
"""
import argparse
import os.path as osp
import platform
import sys
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_harness import (REPO, header, interleaved_median,  # noqa: E402
                           setup, table, write_report)

EEDTP_GEF = 'configs/eedtp/eedtp-gef_nafnet-w48_8xb2-lr5e-5-500k_dfwb-denoise.py'
DIFFIR_S2 = 'configs/diffir/diffir-s2_dirformer-48_8xb8-lr2e-4-400k_gopro.py'
DIFFUIR_L = 'configs/diffuir/diffuir_unet-l_1xb10-lr8e-5-600k_universal5.py'
DTYPES = ('fp32', 'bf16', 'fp16')


def _model_cfg(path):
    from mmengine.config import Config
    return Config.fromfile(osp.join(REPO, path)).model


def build_rows():
    """(name, model config, per-GPU batch, crop, extra) of each row."""
    gef = _model_cfg(EEDTP_GEF)
    plain = dict(type='BaseEditModel', generator=gef.generator,
                 pixel_loss=dict(type='L1Loss'),
                 data_preprocessor=gef.data_preprocessor)
    s2 = _model_cfg(DIFFIR_S2)
    s2.s1_checkpoint, s2.encoder_iter = None, 0
    return [
        ('NAFNet-w48 plain', plain, 16, 128, {}),
        ('EEDTP GEF NAFNet-w48, gen_prob 0.1', gef, 16, 128,
         dict(gen_prob=0.1)),
        ('EEDTP GEF NAFNet-w48, diffusion iteration', gef, 16, 128,
         dict(gen_prob=1.0)),
        ('DiffIR S2 deblur (DIRformer-48)', s2, 8, 256, {}),
        ('DiffUIR-L', _model_cfg(DIFFUIR_L), 10, 256, {}),
    ]


def _batch(n, crop, device):
    import torch
    from mmagic.structures import DataSample
    g = torch.Generator().manual_seed(0)
    gts = [torch.rand(3, crop, crop, generator=g) * 255 for _ in range(n)]
    lqs = [(x + 25 * torch.randn(x.shape, generator=g)).clamp(0, 255)
           for x in gts]
    return dict(inputs=[x.to(device) for x in lqs],
                data_samples=[DataSample(gt_img=x.to(device),
                                         metainfo=dict(task='noise'))
                              for x in gts])


def _build(cfg, extra, device):
    import copy

    from mmdiffir.registry import MODELS
    cfg = copy.deepcopy(cfg)
    if 'gen_prob' in extra:
        cfg.pixel_loss.gen_prob = extra['gen_prob']
    model = MODELS.build(cfg).to(device)
    model.init_weights()
    return model


def _wrapper(model, dtype):
    import torch
    from mmengine.optim import OptimWrapper

    from mmdiffir.engine.optimizers import MixedPrecisionOptimWrapper
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.Adam(params, lr=1e-5)
    if dtype == 'fp32':
        return OptimWrapper(optimizer=optim)
    return MixedPrecisionOptimWrapper(
        dtype={'bf16': 'bfloat16', 'fp16': 'float16'}[dtype],
        optimizer=optim)


def _sync(device):
    import torch
    if device.type == 'cuda':
        torch.cuda.synchronize()


def train_cost(cfg, extra, batch, crop, dtype, device, warmup, steps):
    """(images per second, peak GPU memory in GiB or None, diffusion
    iterations among the timed steps or None)."""
    import torch
    from mmengine.logging import MessageHub
    model = _build(cfg, extra, device)
    model.train()
    optim = _wrapper(model, dtype)
    data = _batch(batch, crop, device)
    if hasattr(model, 'estimate_importance') and \
            getattr(model.pixel_loss, 'reg_weight', 0):
        # GEF's L_reg needs Omega (ImportanceEstimationHook in a real run):
        # one batch of the same data, untimed
        model.estimate_importance([data], optim)
    hub = MessageHub.get_current_instance()
    diffusion = 0
    if device.type == 'cuda':
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
    for i in range(warmup + steps):
        if i == warmup:
            _sync(device)
            start = time.perf_counter()
        hub.update_info('iter', i)  # EEDTP's keyed gen_prob coin
        if i >= warmup and hasattr(model, 'diffusion_iteration'):
            diffusion += model.diffusion_iteration()
        model.train_step(data, optim)
    _sync(device)
    rate = batch * steps / (time.perf_counter() - start)
    peak = torch.cuda.max_memory_allocated(device) / 2**30 \
        if device.type == 'cuda' else None
    del model, optim
    return rate, peak, (diffusion if 'gen_prob' in extra else None)


def inference_latency(rows, size, device, repeats):
    """Median seconds of one fp32 inference pass at ``size`` (h, w):
    plain NAFNet-w48, EEDTP (single pass at t_mat, folded), DiffUIR-L with
    its 3-step sampler and with one step."""
    import torch

    by_name = {r[0]: r for r in rows}
    plain = _build(by_name['NAFNet-w48 plain'][1], {}, device).eval()
    eedtp = _build(by_name['EEDTP GEF NAFNet-w48, gen_prob 0.1'][1], {},
                   device).eval()
    uir = _build(by_name['DiffUIR-L'][1], {}, device).eval()
    h, w = size
    x = torch.rand(1, 3, h, w, device=device)
    xm = x * 2 - 1  # DiffUIR works in [-1, 1]

    def timed(fn):
        def run():
            out = fn()
            _sync(device)
            return out
        return run
    return interleaved_median({
        'plain': timed(lambda: plain.generator(x)),
        'eedtp': timed(lambda: eedtp.forward_tensor(x)),
        'diffuir3': timed(lambda: uir.restore(xm, steps=3)),
        'diffuir1': timed(lambda: uir.restore(xm, steps=1)),
    }, repeats=repeats)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--tiny', action='store_true',
                        help='CPU smoke run: batch 1, 32 crops, 64x64 '
                        'inference, 1 warm-up + 2 timed steps')
    parser.add_argument('--dtypes', nargs='+', choices=DTYPES,
                        default=list(DTYPES),
                        help='training precisions to time (default all)')
    parser.add_argument('--steps', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--out', default=None, help='markdown file')
    args = parser.parse_args(argv)
    import torch
    setup()
    device = torch.device('cuda' if torch.cuda.is_available() and
                          not args.tiny else 'cpu')
    if not args.tiny and device.type != 'cuda':
        parser.error('no GPU: run with --tiny for the CPU smoke run')
    steps, warmup = (2, 1) if args.tiny else (args.steps, args.warmup)
    size, repeats = ((64, 64), 2) if args.tiny else ((720, 1280), 10)
    rows = build_rows()
    began = time.perf_counter()
    results = {}
    for name, cfg, batch, crop, extra in rows:
        if args.tiny:
            batch, crop = 1, 32
        for dtype in args.dtypes:
            try:
                results[name, dtype] = train_cost(cfg, extra, batch, crop,
                                                  dtype, device, warmup,
                                                  steps)
            except torch.cuda.OutOfMemoryError as e:  # a cell, not the run
                results[name, dtype] = ('OOM', str(e).split('.')[0], None)
        results[name, 'batch'] = (batch, crop)
    lat = inference_latency(rows, size, device, repeats)

    dev = torch.cuda.get_device_name(device) if device.type == 'cuda' \
        else f'CPU {platform.processor() or platform.machine()}, ' \
        f'{torch.get_num_threads()} threads'
    lines = header('benchmark_gpu.py', argv) + [
        f'device: {dev}; torch {torch.__version__}; '
        f'{"TINY smoke run (not a measurement)" if args.tiny else ""}'
        f' {steps} timed steps after {warmup} warm-up; '
        f'inference {size[1]}x{size[0]}, fp32, batch 1, median of '
        f'{repeats}', '']
    infer = {'NAFNet-w48 plain': f'{lat["plain"] * 1e3:.1f}',
             'EEDTP GEF NAFNet-w48, gen_prob 0.1':
             f'{lat["eedtp"] * 1e3:.1f} (EEDTP/plain '
             f'{lat["eedtp"] / lat["plain"]:.2f})',
             'DiffUIR-L': f'{lat["diffuir3"] * 1e3:.1f} 3-step, '
             f'{lat["diffuir1"] * 1e3:.1f} one pass (3-step/one-pass '
             f'{lat["diffuir3"] / lat["diffuir1"]:.2f})'}
    body = []
    for name, *_ in rows:
        cells = [results[name, d] if d in args.dtypes else ('-', '-', None)
                 for d in DTYPES]
        rate = ' / '.join(c[1] if isinstance(c[0], str) else f'{c[0]:.3g}'
                          for c in cells)
        peak = ' / '.join(c[0] if isinstance(c[0], str) else
                          ('-' if c[1] is None else f'{c[1]:.2f}')
                          for c in cells)
        share = [c[2] for c in cells if c[2] is not None]
        label = name + (f' ({"/".join(map(str, share))} of {steps} steps '
                        'diffusion)' if share else '')
        b, c = results[name, 'batch']
        body.append([label, f'{b} x {c}^2', rate, peak,
                     infer.get(name, '-')])
    lines += table(['model', 'batch x crop', 'train img/s fp32 / bf16 / fp16',
                    'peak GiB fp32 / bf16 / fp16', 'inference ms'], body)
    lines.append(f'total {time.perf_counter() - began:.0f} s')
    write_report(lines, args.out)


if __name__ == '__main__':
    main()
