"""TaskAdapters' inference cost: NAFNet with and without the MTUL adapters.

The adapters are those of the reference-size MTUL config (``MTUL_W48``: 10
experts of width C/4 after each of the 4 decoder levels, dense mixture),
attached to mmagic's NAFNet at the sizes of ``configs/_base_/backbones/``
``nafnet-w48.py`` and ``nafnet-tiny.py`` (the tiny one also with the 2
experts of its CPU MTUL config, ``MTUL_CPU``). Arms, timed side by side
(``bench_harness.interleaved_median``, torch threads 1):

* ``bare``: the backbone alone;
* ``adapters``: the same backbone (a copy of its weights) with the adapters,
  on the default inference path (``MoEAdapter.mix_no_grad``, the experts'
  3x3 convs by Winograd: ``winograd_conv.py``);
* ``direct convs``: the same adapters on the same path with
  ``winograd=False`` (every conv by ``F.conv2d``);
* ``training form`` (256x256 only): the same adapters through
  ``MoEAdapter.experts_mix`` (the formulation used with autograd, and the
  inference path before ``mix_no_grad``), run with autograd on and no
  parameter requiring grad.

Ratios are medians over the rounds of each round's own ratio, with their
range (``bench_harness.paired_ratio``). Beside adapters / bare, each
adapters pass over its own time outside the adapters (``AdapterClock``):
the same quantity without the drift between two passes. Also printed: the
largest difference of the network's outputs between the default path and
the training form, the multiply-adds of the adapters / the backbone's
(every conv and linear layer; Winograd computes them with fewer
multiplies), and a per-level profile of one adapter's parts at NAFNet-w48.

The committed run is the ``adapters`` section of
``benchmark_eedtp_cost.py`` (docs/benchmarks/eedtp_cost.md); alone:

    OMP_NUM_THREADS=1 python tools/analysis_tools/adapter_latency.py
"""
import argparse
import copy
import os.path as osp
import statistics
import sys
import time
from typing import Dict, List, Sequence, Tuple

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_harness import (REPO, header, interleaved_median,  # noqa: E402
                           interleaved_rounds, medians, paired_ratio,
                           ratio_text, setup, table, write_report)
from benchmark_mtul import MTUL as MTUL_CPU  # noqa: E402

MTUL_W48 = 'configs/eedtp/eedtp-mtul_nafnet-w48_8xb2-lr5e-5-500k_5task.py'
SMALL, LARGE = (256, 256), (720, 1280)


def build(backbone: str, adapters: str = MTUL_W48, scale: float = 0.5):
    """(bare NAFNet, NAFNet with the TaskAdapter of the config
    ``adapters`` attached and set to the first task's t_mat); the two share
    no tensors but hold the same backbone weights. ``scale``: every
    adapter's s (0 at initialisation computes the same amount; non-zero
    makes the outputs differ)."""
    import torch
    from mmengine.config import Config

    from mmdiffir.registry import MODELS
    torch.manual_seed(0)
    sizes = Config.fromfile(
        osp.join(REPO, 'configs/_base_/backbones', backbone + '.py'))
    bare = MODELS.build(sizes.generator).eval()
    with_ad = copy.deepcopy(bare)
    adapter = MODELS.build(Config.fromfile(osp.join(REPO, adapters))
                           .model.adapter)
    adapter.attach(with_ad, torch.zeros(1, 3, 32, 32))
    with torch.no_grad():
        for a in adapter.adapters.values():
            a.scale.fill_(scale)
    adapter.set_time(4)
    with_ad.task_adapter = adapter  # keeps it alive with the network
    return bare, with_ad


def multiply_adds(net, size: Tuple[int, int]) -> Tuple[int, int]:
    """(backbone, adapters) multiply-adds of one 1x3xHxW pass, counted on
    every Conv2d / Linear of the backbone and on the adapters' three expert
    convs (their routers, a few thousand, left out). Counted at two small
    inputs and extrapolated: every count is affine in the pixels (the
    layers after a global pool do not grow), so this is exact for sizes the
    network does not pad (multiples of 16 for NAFNet)."""
    import torch
    from torch import nn

    from mmdiffir.models.conditioning import MoEAdapter
    counts = {}
    inside = {id(m) for a in net.modules() if isinstance(a, MoEAdapter)
              for m in a.modules()}

    def count(mod, args, out):
        if isinstance(mod, MoEAdapter):
            c, hid, n = mod.conv_in.in_channels, mod.hidden, mod.num_experts
            per_pixel = 9 * c * n * hid + 9 * hid * hid * n + n * hid * c
            counts['adapters'] += out.numel() // c * per_pixel
        elif id(mod) not in inside:
            k = (mod.in_channels // mod.groups * mod.kernel_size[0] *
                 mod.kernel_size[1]) if isinstance(mod, nn.Conv2d) else \
                mod.in_features
            counts['backbone'] += out.numel() * k

    handles = [m.register_forward_hook(count) for m in net.modules()
               if isinstance(m, (nn.Conv2d, nn.Linear, MoEAdapter))]
    fits = []
    for side in (64, 128):
        counts.update(backbone=0, adapters=0)
        with torch.no_grad():
            net(torch.zeros(1, 3, side, side))
        fits.append((side * side, dict(counts)))
    for h in handles:
        h.remove()
    (p0, c0), (p1, c1) = fits
    pixels = size[0] * size[1]
    return tuple(c0[k] + (c1[k] - c0[k]) * (pixels - p0) // (p1 - p0)
                 for k in ('backbone', 'adapters'))


def _training_form(net):
    """A pass through ``net`` with autograd on (so MoEAdapter takes
    experts_mix) and no parameter requiring grad (so nothing is
    recorded)."""
    import torch
    for p in net.parameters():
        p.requires_grad_(False)

    def run(x):
        with torch.enable_grad():
            return net(x)
    return run


def _direct_copy(with_ad):
    """A copy of ``with_ad`` whose adapters use direct convs only."""
    net = copy.deepcopy(with_ad)
    for moe in net.task_adapter.adapters.values():
        moe.winograd = False
    return net


def _direct_mix(moe, h, w):
    """``moe.mix_no_grad(h, w)`` with direct convs."""
    moe.winograd = False
    try:
        return moe.mix_no_grad(h, w)
    finally:
        moe.winograd = True


class AdapterClock:
    """Seconds spent inside ``net``'s MoEAdapters during each pass of
    ``net`` run through :meth:`timed` (forward pre / post hooks), so each
    pass also gives its own adapters / rest-of-the-pass ratio: both parts
    ran in the same pass, so the machine's drifts between passes (tens of
    percent here over minutes) do not enter it."""

    def __init__(self, net):
        from mmdiffir.models.conditioning import MoEAdapter
        self.net, self.inside, self.ratios = net, [], []
        for moe in net.modules():
            if isinstance(moe, MoEAdapter):
                moe.register_forward_pre_hook(self._start)
                moe.register_forward_hook(self._stop)

    def _start(self, module, args):
        self._t0 = time.perf_counter()

    def _stop(self, module, args, out):
        self.inside.append(time.perf_counter() - self._t0)

    def timed(self, x):
        self.inside.clear()
        t0 = time.perf_counter()
        self.net(x)
        total = time.perf_counter() - t0
        self.ratios.append(total / (total - sum(self.inside)))


def model_lines(backbone: str, sizes: Dict[Tuple[int, int], int],
                adapters: str = MTUL_W48) -> List[List[str]]:
    """Latency rows of ``backbone`` with / without the adapters of the
    config ``adapters``, ``sizes``: (H, W) -> repeats."""
    import torch
    bare, with_ad = build(backbone, adapters)
    direct = _direct_copy(with_ad)
    experts = with_ad.task_adapter.num_experts
    train_form = _training_form(with_ad)
    clock = AdapterClock(with_ad)
    rows = []
    for size, repeats in sizes.items():
        x = torch.rand(1, 3, *size)
        clock.ratios.clear()
        arms = {'bare': lambda: bare(x), 'adapters': lambda: clock.timed(x),
                'direct convs': lambda: direct(x)}
        if size == SMALL:
            arms['training form'] = lambda: train_form(x)
            with torch.no_grad():
                want = train_form(x)
                err = [(net(x) - want).abs().max().item()
                       for net in (with_ad, direct)]
        rounds = interleaved_rounds(arms, repeats)
        med = medians(rounds)
        within = clock.ratios[1:]  # after the warm-up pass

        def over_bare(name):
            return ratio_text(paired_ratio(rounds,
                                           lambda r: r[name] / r['bare']))
        macs = multiply_adds(with_ad, size)
        row = [backbone, str(experts), f'{size[1]}x{size[0]}', str(repeats),
               f'{med["bare"] * 1e3:.0f}', f'{med["adapters"] * 1e3:.0f}',
               over_bare('adapters'),
               ratio_text((statistics.median(within), min(within),
                           max(within))),
               over_bare('direct convs')]
        row += ([over_bare('training form'), f'{err[0]:.1e}',
                 f'{err[1]:.1e}'] if size == SMALL else ['-', '-', '-'])
        row.append(f'{macs[1] / macs[0]:.1%} ({macs[1] / 1e9:.1f} of '
                   f'{macs[0] / 1e9:.1f} G)')
        rows.append(row)
        print('| ' + ' | '.join(row) + ' |', flush=True)
    return rows


def profile_lines(size: Tuple[int, int], repeats: int) -> List[str]:
    """Per-level medians (ms) of one NAFNet-w48 adapter's parts on the
    level's output shape at a 1x3xHxW input, each part timed alone on the
    previous part's output (interleaved)."""
    import torch
    import torch.nn.functional as F

    from mmdiffir.models.conditioning import sinusoidal_embedding
    from mmdiffir.models.conditioning.winograd_conv import conv3x3
    _, with_ad = build('nafnet-w48')
    adapter = with_ad.task_adapter
    rows = []
    for i, (key, moe) in enumerate(adapter.adapters.items()):
        c, hid, n = moe.conv_in.in_channels, moe.hidden, moe.num_experts
        f = 2**(len(adapter.adapters) - 1 - i)
        h = torch.randn(1, c, size[0] // f, size[1] // f)
        emb = sinusoidal_embedding(torch.tensor([4]), adapter.embed_dim)
        with torch.no_grad():
            w = moe.routing(h, emb)
            a = F.gelu(moe.conv_in(h))
            z = F.gelu(moe.conv_mid(a))
        mid_w, mid_b = moe.conv_mid.weight, moe.conv_mid.bias
        parts = {
            'router': lambda: moe.routing(h, emb),
            'first 3x3 (C->N*C/4), direct': lambda: moe.conv_in(h),
            'first 3x3, Winograd': lambda: conv3x3(h, moe.conv_in.weight,
                                                   moe.conv_in.bias),
            'GELU x2': lambda: (F.gelu(a), F.gelu(z)),
            'middle 3x3, grouped conv': lambda: moe.conv_mid(a),
            'middle 3x3, one conv per expert': lambda: [
                F.conv2d(a[:, j * hid:(j + 1) * hid],
                         mid_w[j * hid:(j + 1) * hid],
                         mid_b[j * hid:(j + 1) * hid], padding=1)
                for j in range(n)],
            'middle 3x3, one Winograd conv per expert': lambda: [
                conv3x3(a[:, j * hid:(j + 1) * hid],
                        mid_w[j * hid:(j + 1) * hid],
                        mid_b[j * hid:(j + 1) * hid]) for j in range(n)],
            'mixture + last 1x1, scaled hidden': lambda: F.conv2d(
                z * w.repeat_interleave(hid, 1)[:, :, None, None],
                moe.proj_weight) + (w @ moe.proj_bias)[:, :, None, None],
            'mixture + last 1x1, folded weights': lambda: F.conv2d(
                z, (moe.proj_weight.flatten(1) * w.repeat_interleave(
                    hid, 1))[:, :, None, None], w[0] @ moe.proj_bias),
            'whole adapter (mix_no_grad)': lambda: moe.mix_no_grad(h, w),
            'whole adapter (mix_no_grad, direct convs)': lambda:
            _direct_mix(moe, h, w),
            'whole adapter (experts_mix)': lambda: h + moe.scale *
            moe.experts_mix(h, w),
        }
        med = interleaved_median(parts, repeats)
        if not rows:
            rows.append(['level', 'C x H x W', *parts])
        rows.append([key, f'{c}x{h.shape[2]}x{h.shape[3]}',
                     *(f'{med[k] * 1e3:.1f}' for k in parts)])
    head, body = rows[0], rows[1:]
    return table(head, body)


def adapter_latency_lines(repeats: int = 5, large_repeats: int = 1,
                          large: bool = True,
                          profile_repeats: int = 3) -> List[str]:
    """The report's lines: latency table (NAFNet-w48 at 256x256 and, with
    ``large``, 1280x720; tiny NAFNet at both) and the NAFNet-w48 adapter
    profile at 256x256."""
    import torch
    torch.set_num_threads(1)
    setup()
    head = ['backbone', 'experts', 'input WxH', 'repeats', 'bare ms',
            'adapters ms', 'adapters / bare',
            'adapters pass / its time outside the adapters',
            'direct convs / bare',
            'training form / bare',
            'max abs diff of outputs, default vs training form',
            'same, direct convs vs training form',
            'adapter multiply-adds / backbone']
    sizes: Dict[Tuple[int, int], int] = {SMALL: repeats}
    if large:
        sizes[LARGE] = large_repeats
    rows = model_lines('nafnet-w48', sizes)
    tiny = {SMALL: 3 * repeats, LARGE: repeats}
    rows += model_lines('nafnet-tiny', tiny)
    rows += model_lines('nafnet-tiny', tiny, MTUL_CPU)
    lines = ['## Latency, with / without adapters (median of interleaved '
             'runs, after one warm-up each)', ''] + table(head, rows)
    lines += ['', '## One NAFNet-w48 adapter per decoder level, 1x3x256x256 '
              f'input (ms, median of {profile_repeats})', '']
    lines += profile_lines(SMALL, profile_repeats)
    return lines


def main(argv: Sequence[str] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=5,
                        help='rounds at 256x256 (and tiny NAFNet at 720p)')
    parser.add_argument('--large-repeats', type=int, default=1,
                        help='rounds of NAFNet-w48 at 1280x720 (about 2 '
                        'minutes a pass on one shared core)')
    parser.add_argument('--no-large', action='store_true',
                        help='skip NAFNet-w48 at 1280x720')
    parser.add_argument('--profile-repeats', type=int, default=3)
    parser.add_argument('--out', help='also write the report here')
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    lines = adapter_latency_lines(args.repeats, args.large_repeats,
                                  not args.no_large, args.profile_repeats)
    lines = ['# TaskAdapter inference cost (NAFNet, dense mixture of 10 '
             'experts)', ''] + header('adapter_latency.py', argv) + lines
    lines += ['', f'(total {time.perf_counter() - t0:.0f} s)']
    write_report(lines, args.out)


if __name__ == '__main__':
    main()
