"""EEDTP's training cost against plain training, side by side, on CPU.

For the tiny NAFNet of the CPU configs and for NAFNet-w48 (the reference
size), batch 4x64x64, the configs' own (faithful) GEF defaults:

* ``steps``: median time of a plain step with L1 (``plain_l1``) and with the
  GEF config's restoration loss L1 + 0.1 FFT (``plain_l1fft``, the same
  loss), a GEF step that draws no diffusion terms (``gef_nodiff``) and one
  that does (``gef_diff``, exact L_orthog), the diffusion iteration of the
  ``orthog_weight=0`` and ``surgery`` variants, and from them the expected
  GEF / plain ratio at the config's gen_prob
  (``(1 - p) gef_nodiff + p gef_diff``, over plain_l1fft): a measured
  expectation, not a count over a few random draws;
* ``passes``: the passes a diffusion iteration inherently needs, each timed
  on its own: the gradient of L_res and of L_gen (with their graphs when
  L_orthog is exact), the backward through both gradients' graphs (the
  Hessian-vector products of the exact L_orthog gradient) and the
  optimizer step; their sum beside the whole iteration;
* ``profile``: each piece of a non-diffusion GEF step alone (conditioned
  vs plain forward + backward, the optimizer over the extra parameters, the
  FFT term, the coin, the gradient bookkeeping);
* ``hvp``: the backward through both gradients with torch's generic double
  backward of grouped convolutions vs ``grouped_conv.py``'s, with
  torch.profiler's heaviest ops;
* ``memory``: peak resident memory of a GEF diffusion step / a plain (L1)
  step (tiny NAFNet, batch 8x192x192), each in its own process.

Every timed callable of one size runs in interleaved rounds (all arms one
after the other, ``--repeats`` rounds, median; see
``bench_harness.interleaved_rounds``); the batch copy is not timed. The
headline ratios of ``steps`` and ``passes`` are medians over the rounds of
each round's own ratio, with their range (``bench_harness.paired_ratio``).
The GEF arms share one model (their weights drift apart from the plain
ones, which does not change a step's cost).

    OMP_NUM_THREADS=1 python tools/analysis_tools/benchmark_eedtp_cost.py \
        --only steps,passes,memory --out docs/benchmarks/eedtp_cost.md
"""
import argparse
import contextlib
import copy
import itertools
import multiprocessing as mp
import os
import os.path as osp
import sys
import threading
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_harness import (REPO, header,  # noqa: E402
                           interleaved_median, interleaved_rounds, medians,
                           paired_ratio, ratio_text, setup, table,
                           write_report)

SIZES = {  # size -> (GEF config, plain model config of the same backbone)
    'tiny': ('configs/eedtp/'
             'eedtp-gef_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-denoise-cpu.py',
             'configs/_base_/models/plain_nafnet-tiny.py'),
    'w48': ('configs/eedtp/'
            'eedtp-gef_nafnet-w48_8xb2-lr5e-5-500k_dfwb-denoise.py',
            'configs/_base_/models/plain_nafnet-w48.py'),
}
# diffusion-iteration variants: name -> pixel_loss overrides of the config
VARIANTS = {
    'gef_diff': {},  # the config's L_orthog (exact, double backward)
    'orthog_off': dict(orthog_weight=0.0),
    'surgery': dict(orthog_mode='surgery'),
}
HVP = 'backward through both gradients (HVPs)'  # the exact L_orthog's pass
# the variants timed at each size: at w48 only the config's (a round of all
# of them would take minutes of CPU per repeat)
SIZE_VARIANTS = {'tiny': list(VARIANTS), 'w48': ['gef_diff']}


# ------------------------------------------------------------------ arms
def restoration_loss(align):
    """The GEF config's L_res (L1 + fft_weight FFT-L1) as a plain model's
    ``pixel_loss``: the plain step with the same loss."""
    from torch import nn

    class RestorationLoss(nn.Module):

        def __init__(self):
            super().__init__()
            self.align = align

        def forward(self, pred, gt):
            return sum(self.align.restoration(pred, gt).values())

    return RestorationLoss()


def build(size):
    """(plain model, GEF model, an optimizer wrapper for each) of one size,
    the GEF anchor filled as ImportanceEstimationHook would fill it."""
    import torch
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper

    from mmdiffir.registry import MODELS
    gef_path, plain_path = SIZES[size]
    gef_cfg = Config.fromfile(osp.join(REPO, gef_path))
    plain_cfg = Config.fromfile(osp.join(REPO, plain_path))
    torch.manual_seed(0)
    plain = MODELS.build(plain_cfg.model).train()
    gef = MODELS.build(gef_cfg.model).train()
    params = gef.trainable_params()
    gef.anchor.set(params, [torch.full_like(p, 1e-3) for p in params])
    return (plain, build_optim_wrapper(plain, gef_cfg.optim_wrapper), gef,
            build_optim_wrapper(gef, gef_cfg.optim_wrapper))


def train_batch(batch_size=4, size=64):
    """A noisy batch in the dataloader's format (0-255)."""
    import torch
    from mmagic.structures import DataSample
    g = torch.Generator().manual_seed(0)
    gt = torch.rand(batch_size, 3, size, size, generator=g) * 255
    noisy = gt + 25 * torch.randn(gt.shape, generator=g)
    return dict(inputs=list(noisy),
                data_samples=[DataSample(gt_img=x) for x in gt])


def iterations(model, diffusion: bool):
    """Endless iteration numbers at which the model's diffusion coin falls
    ``diffusion`` (the coin and the draws are keyed by the iteration)."""
    from mmengine.logging import MessageHub
    hub = MessageHub.get_current_instance()
    for it in itertools.count(1):
        hub.update_info('iter', it)
        if model.diffusion_iteration() == diffusion:
            yield it


def timed_step(model, optim, batch, its=None, **loss):
    """A callable: one train_step (the iteration set in the message hub as
    the Runner does), returning its own seconds (the batch copy untimed).
    ``loss``: DiffusionAlignLoss attributes set for this arm."""
    from mmengine.logging import MessageHub
    hub = MessageHub.get_current_instance()
    defaults = {k: getattr(model.pixel_loss, k) for k in loss}

    def step():
        data = copy.deepcopy(batch)
        if its is not None:
            hub.update_info('iter', next(its))
        for k, v in loss.items():
            setattr(model.pixel_loss, k, v)
        try:
            t0 = time.process_time()
            model.train_step(data, optim)
            return time.process_time() - t0
        finally:
            for k, v in defaults.items():
                setattr(model.pixel_loss, k, v)

    return step


def step_arms(size, batch):
    """name -> timed callable of every step arm of one size."""
    plain, plain_optim, gef, gef_optim = build(size)
    l1 = plain.pixel_loss
    same = restoration_loss(gef.pixel_loss)
    arms = {
        'plain_l1': timed_step(plain, plain_optim, batch),
        'gef_nodiff': timed_step(gef, gef_optim, batch,
                                 iterations(gef, False)),
    }
    plain_fft = timed_step(plain, plain_optim, batch)

    def plain_l1fft():
        plain.pixel_loss = same
        try:
            return plain_fft()
        finally:
            plain.pixel_loss = l1

    arms['plain_l1fft'] = plain_l1fft
    for name in SIZE_VARIANTS[size]:
        arms[name] = timed_step(gef, gef_optim, batch,
                                iterations(gef, True), **VARIANTS[name])
    return arms, gef, gef_optim


# ---------------------------------------------------------------- passes
def timed_optimizer_step(params, optim):
    """A callable: one optimizer step with zero gradients (the same work
    as with real ones), returning its own CPU seconds."""
    import torch

    def run():
        for p in params:
            p.grad = torch.zeros_like(p)
        t0 = time.process_time()
        optim.step()
        optim.zero_grad()
        return time.process_time() - t0
    return run


def pass_arms(gef, optim, batch, exact: bool, fast: bool = True):
    """name -> callable timing one inherent pass of a diffusion iteration
    alone (``exact``: with the graphs and the backward the exact L_orthog
    gradient needs; ``fast``: with the grouped convolutions' cheap double
    backward, as the restorer builds them). ``optimizer`` steps with zero
    gradients (the same work as with real ones)."""
    import torch
    from mmengine.logging import MessageHub

    from mmdiffir.models.editors.eedtp.twice_differentiable import \
        twice_differentiable
    MessageHub.get_current_instance().update_info('iter', 1)
    data = gef.data_preprocessor(copy.deepcopy(batch), True)
    inputs, gt = data['inputs'], data['data_samples'].gt_img
    params = gef.trainable_params()
    t_mat = gef._sample_t_mat(data['data_samples'], inputs.shape[0])
    loss_fn = gef.pixel_loss

    def twice():  # as the restorer builds graphs it differentiates twice
        return twice_differentiable(gef.generator, fast_grouped=fast) \
            if exact else contextlib.nullcontext()

    def grad_res():
        with twice():
            out = gef.restore(inputs, t_mat)
        l_res = sum(loss_fn.restoration(out, gt).values())
        return torch.autograd.grad(l_res, params, allow_unused=True,
                                   create_graph=exact)

    def grad_gen():
        with twice():
            l_gen = gef.diffusion_loss(gt)
        return torch.autograd.grad(l_gen, params, allow_unused=True,
                                   create_graph=exact)

    def timed(fn):
        def run():
            t0 = time.process_time()
            fn()
            return time.process_time() - t0
        return run

    arms = {'grad L_res': timed(grad_res), 'grad L_gen': timed(grad_gen)}
    if exact:
        def hvp():
            g = [x for x in grad_res() + grad_gen() if x is not None]
            u = [torch.ones_like(x) for x in g]
            t0 = time.process_time()  # one vector-Jacobian product
            torch.autograd.grad(g, params, u, allow_unused=True)
            return time.process_time() - t0

        arms[HVP] = hvp

    arms['optimizer step'] = timed_optimizer_step(params, optim)
    return arms


# ---------------------------------------------------------------- memory
def _rss_bytes():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def _peak_step_memory_child(kind, queue):
    """Peak resident memory during one training step above the resident
    memory before it (sampled every 0.2 ms). The parent starts this process
    with MALLOC_MMAP_THRESHOLD_ low, so each large tensor is its own mapping
    and is returned to the system when freed: RSS then follows the live
    tensors. torch has no CPU allocator statistics to ask instead."""
    from mmengine.logging import MessageHub
    setup()
    plain, plain_optim, gef, gef_optim = build('tiny')
    model, optim = (plain, plain_optim) if kind == 'plain' else (gef,
                                                                 gef_optim)
    for k, v in VARIANTS.get(kind, {}).items():
        setattr(gef.pixel_loss, k, v)
    its = iterations(gef, True) if kind != 'plain' else itertools.count(1)
    hub = MessageHub.get_current_instance()
    batch = train_batch(batch_size=8, size=192)
    hub.update_info('iter', next(its))
    model.train_step(copy.deepcopy(batch), optim)  # optimizer state exists
    data = copy.deepcopy(batch)
    hub.update_info('iter', next(its))
    base, peak, done = _rss_bytes(), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            time.sleep(0.0002)

    thread = threading.Thread(target=sample)
    thread.start()
    model.train_step(data, optim)
    done.set()
    thread.join()
    queue.put(max(peak[0] - base, 1))


def peak_memory():
    """{'plain', 'gef_diff', 'orthog_off'} -> peak bytes of one step (tiny,
    8x192x192; a diffusion iteration for the two GEF variants)."""
    os.environ['MALLOC_MMAP_THRESHOLD_'] = str(1 << 16)
    ctx = mp.get_context('spawn')
    out = {}
    try:
        for kind in ('plain', 'gef_diff', 'orthog_off'):
            q = ctx.Queue()
            p = ctx.Process(target=_peak_step_memory_child, args=(kind, q))
            p.start()
            out[kind] = q.get()
            p.join()
    finally:
        del os.environ['MALLOC_MMAP_THRESHOLD_']
    return out


# --------------------------------------------------------------- profile
def unfused_optimizer(model, optim_wrapper):
    """The wrapper's optimizer class and settings with fused=False."""
    optim = optim_wrapper.optimizer
    group = {k: v for k, v in optim.defaults.items()
             if k not in ('fused', 'foreach')}
    return type(optim)([p for p in model.parameters() if p.requires_grad],
                       fused=False, foreach=False, **group)


def profile_arms(size, batch):
    """name -> timed callable of each piece of a non-diffusion GEF step and
    of the plain step with the same loss, each alone (see
    :func:`profile_section`)."""
    import torch
    from mmengine.logging import MessageHub
    plain, plain_optim, gef, gef_optim = build(size)
    same = restoration_loss(gef.pixel_loss)
    hub = MessageHub.get_current_instance()
    hub.update_info('iter', 1)
    data = gef.data_preprocessor(copy.deepcopy(batch), True)
    inputs, samples = data['inputs'], data['data_samples']
    gt = samples.gt_img
    t_mat = gef._sample_t_mat(samples, inputs.shape[0])

    def fwd_bwd(model, forward):
        def run():
            t0 = time.process_time()
            same(forward(), gt).backward()
            elapsed = time.process_time() - t0
            model.zero_grad(set_to_none=True)
            return elapsed
        return run

    def optimizer(model, optim):
        return timed_optimizer_step(
            [p for p in model.parameters() if p.requires_grad], optim)

    def draws():
        t0 = time.process_time()
        gef.diffusion_iteration()
        gef._sample_t_mat(samples, inputs.shape[0])
        return time.process_time() - t0

    def gradients_only():  # compute_gradients, no optimizer step
        t0 = time.process_time()
        gef.compute_gradients(inputs, samples, gef.trainable_params(),
                              use_diffusion=False)
        return time.process_time() - t0

    def timed_fft():
        pred = gef.restore(inputs, None).detach().requires_grad_()
        t0 = time.process_time()
        loss = gef.pixel_loss.restoration(pred, gt)['loss_fft']
        loss.backward()
        return time.process_time() - t0

    steps, _, _ = step_arms(size, batch)
    return {
        'plain_l1fft step': steps['plain_l1fft'],
        'gef_nodiff step': steps['gef_nodiff'],
        'fwd+bwd plain': fwd_bwd(plain, lambda: plain.generator(inputs)),
        'fwd+bwd conditioned': fwd_bwd(
            gef, lambda: gef.restore(inputs, t_mat)),
        'fwd+bwd hooks pass-through (no time)': fwd_bwd(
            gef, lambda: gef.restore(inputs, None)),
        'compute_gradients (no diffusion)': gradients_only,
        'optimizer step plain': optimizer(plain, plain_optim),
        'optimizer step gef': optimizer(gef, gef_optim),
        # the config's optimizer is fused (one kernel); torch's CPU default
        # is a loop over the tensors, for comparison
        'optimizer step gef, unfused': optimizer(gef, unfused_optimizer(
            gef, gef_optim)),
        'FFT term fwd+bwd': timed_fft,
        'coin + t_mat': draws,
    }, plain, gef


def profile_section(args):
    lines = ['## Profile of a non-diffusion GEF step (batch 4x64x64)', '',
             'Each piece timed alone, interleaved with the two whole steps '
             '(median CPU seconds). "fwd+bwd": forward, L1 + FFT loss and '
             'backward.', '']
    batch = train_batch()
    for size in args.sizes:
        arms, plain, gef = profile_arms(size, batch)
        med = interleaved_median(arms, repeats(args, size), grad=True)
        n = {k: sum(p.numel() for p in m.parameters() if p.requires_grad)
             for k, m in (('plain', plain), ('gef', gef))}
        t = {k: len([p for p in m.parameters() if p.requires_grad])
             for k, m in (('plain', plain), ('gef', gef))}
        base = med['plain_l1fft step']
        lines += [f'### {size} (median of {repeats(args, size)})', ''] + table(
            ['piece', 'median', '/ plain_l1fft step'],
            [[k, ms(v), f'{v / base:.3f}'] for k, v in med.items()]) + [
            '', f'- trainable parameters: plain {n["plain"]:,} in '
            f'{t["plain"]} tensors, GEF {n["gef"]:,} in {t["gef"]} tensors '
            f'(time MLP + one head per hooked module)',
            f'- conditioning in fwd+bwd (conditioned - plain): '
            f'{ms(med["fwd+bwd conditioned"] - med["fwd+bwd plain"])}; '
            f'optimizer over the extra parameters: '
            f'{ms(med["optimizer step gef"] - med["optimizer step plain"])}'
            ' (pieces timed alone do not add up to a whole step exactly:'
            ' allocation and cache state differ)',
            '']
    return lines


# -------------------------------------------------------------- sections
def repeats(args, size):
    return args.repeats_w48 if size == 'w48' else args.repeats


def ms(seconds):
    return f'{seconds * 1e3:.0f} ms'


def steps_section(args):
    lines = ['## Training step time (batch 4x64x64)', '']
    batch = train_batch()
    for size in args.sizes:
        arms, gef, optim = step_arms(size, batch)
        if 'passes' in args.only:
            exact = gef.pixel_loss.orthog_mode == 'double_backward' and \
                gef.pixel_loss.orthog_weight > 0
            passes = pass_arms(gef, optim, batch, exact)
            arms.update({f'pass: {k}': f for k, f in passes.items()})
            if len(SIZE_VARIANTS[size]) > 1:
                first = pass_arms(gef, optim, batch, False)
                arms.update({f'pass (first-order): {k}': f
                             for k, f in first.items()
                             if k.startswith('grad')})
        rounds = interleaved_rounds(arms, repeats(args, size), grad=True)
        med = medians(rounds)
        p = gef.pixel_loss.gen_prob
        plain = med['plain_l1fft']

        def per_round(num, den='plain_l1fft'):
            return per_round_ratio(rounds, num, den)
        rows = [[k, ms(v), f'{v / med["plain_l1"]:.3f}x',
                 f'{v / plain:.3f}x'] for k, v in med.items()
                if not k.startswith('pass')]
        lines += [f'### {size} ({SIZES[size][0]}; median of '
                  f'{repeats(args, size)})', ''] + table(
            ['arm', 'median', '/ plain_l1', '/ plain_l1fft'], rows) + ['']
        lines.append('Ratios in bold: the median over the rounds of each '
                     "round's ratio (its arms ran back to back), with the "
                     "rounds' range.")
        lines.append('')
        for name in SIZE_VARIANTS[size]:
            def gef_p(r, name=name):
                return (1 - p) * r['gef_nodiff'] + p * r[name]
            lines.append(
                f'- GEF at gen_prob {p} with `{name}` diffusion iterations '
                f'/ plain_l1fft: {per_round(gef_p)} (/ plain_l1 '
                f'{per_round(gef_p, "plain_l1")})')
        lines.append(
            f'- non-diffusion GEF step / plain step with the same loss: '
            f'{per_round(lambda r: r["gef_nodiff"])} (/ plain L1 '
            f'{per_round(lambda r: r["gef_nodiff"], "plain_l1")})')
        if 'passes' in args.only:
            lines += [''] + passes_lines(rounds, SIZE_VARIANTS[size])
        lines.append('')
    return lines


def per_round_ratio(rounds, num, den) -> str:
    """:func:`bench_harness.ratio_text` of ``num(round) / den(round)``;
    ``den`` a function of a round or an arm's name."""
    return ratio_text(paired_ratio(
        rounds, lambda r: num(r) / (r[den] if isinstance(den, str) else
                                    den(r))))


def passes_lines(rounds, variants):
    """The passes table (medians) and the iteration / sum of passes ratios
    (per round) of ``rounds`` (:func:`bench_harness.interleaved_rounds`
    of the step and pass arms)."""
    med = medians(rounds)
    exact = {k[len('pass: '):]: v for k, v in med.items()
             if k.startswith('pass: ')}
    first = {k[len('pass (first-order): '):]: v for k, v in med.items()
             if k.startswith('pass (first-order): ')}
    if first:
        first['optimizer step'] = exact['optimizer step']
    lines = table(['inherent pass (each timed alone)', 'exact L_orthog',
                   'first-order (orthog off / surgery)'],
                  [[k, ms(v), ms(first[k]) if k in first else '-']
                   for k, v in exact.items()])
    s_exact, s_first = sum(exact.values()), sum(first.values())

    def passes_of(r, prefix):  # one round's sum of the passes
        names = [k for k in r if k.startswith(prefix)]
        if prefix != 'pass: ':
            names.append('pass: optimizer step')
        return sum(r[k] for k in names)

    lines += [f'| sum | {ms(s_exact)} | '
              f'{ms(s_first) if first else "-"} |', '',
              f'- diffusion iteration / sum of its inherent passes: exact '
              f'L_orthog (`gef_diff`) ' + per_round_ratio(
                  rounds, lambda r: r['gef_diff'],
                  lambda r: passes_of(r, 'pass: '))]
    for name in variants[1:]:
        lines[-1] += f'; `{name}` ' + per_round_ratio(
            rounds, lambda r, name=name: r[name],
            lambda r: passes_of(r, 'pass (first-order): '))
    return lines


def memory_section(args):
    mem = {k: v / 2**20 for k, v in peak_memory().items()}
    return ['## Peak memory', '',
            f'- peak memory of a GEF diffusion step (default L_orthog) / a '
            f'plain L1 step (tiny, peak RSS above the pre-step RSS, batch '
            f'8x192x192): **{mem["gef_diff"] / mem["plain"]:.2f}x** '
            f'({mem["gef_diff"]:.0f} MiB vs {mem["plain"]:.0f} MiB)',
            f'- the same for a diffusion iteration with `orthog_off` (no '
            f'graphs of the gradients): '
            f'**{mem["orthog_off"] / mem["plain"]:.2f}x** '
            f'({mem["orthog_off"]:.0f} MiB)', '']


def hvp_section(args):
    """The backward through both gradients' graphs with torch's generic
    double backward of grouped convolutions and with grouped_conv.py's,
    timed side by side, and torch.profiler's heaviest ops of each."""
    from torch.profiler import ProfilerActivity, profile
    lines = ['## The Hessian-vector-product pass of the exact L_orthog', '']
    batch = train_batch()
    for size in args.sizes:
        _, _, gef, optim = build(size)
        arms = {f'{name} grouped-conv double backward':
                pass_arms(gef, optim, batch, True, fast)[HVP]
                for name, fast in (('generic', False), ('fast', True))}
        med = interleaved_median(arms, repeats(args, size), grad=True)
        lines += [f'### {size} (median of {repeats(args, size)})', ''] + [
            f'- {k}: {ms(v)}' for k, v in med.items()] + [
            f'- generic / fast: **{med[next(iter(med))] / med[k]:.2f}x**'
            for k in list(med)[1:]] + ['']
        for name, run in arms.items():
            with profile(activities=[ProfilerActivity.CPU]) as prof:
                run()
            events = sorted(prof.key_averages(),
                            key=lambda e: -e.self_cpu_time_total)[:8]
            total = sum(e.self_cpu_time_total for e in prof.key_averages())
            lines += [f'torch.profiler, {name} (one pass, self CPU time):',
                      ''] + table(['op', 'calls', 'self CPU', 'share'], [
                          [e.key, str(e.count),
                           ms(e.self_cpu_time_total / 1e6),
                           f'{e.self_cpu_time_total / total:.0%}']
                          for e in events]) + ['']
    return lines


# section name -> function(args) -> report lines; 'passes' rides on the
# step rounds (its passes are interleaved with the steps)
SECTIONS = {
    'profile': profile_section,
    'steps': steps_section,
    'memory': memory_section,
    'hvp': hvp_section,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--only', default='steps,passes,memory',
                        help='comma-separated sections: profile, steps, '
                        'passes (timed with the steps), memory, hvp')
    parser.add_argument('--sizes', nargs='+', default=list(SIZES),
                        choices=list(SIZES))
    parser.add_argument('--repeats', type=int, default=7,
                        help='interleaved rounds at the tiny size')
    parser.add_argument('--repeats-w48', type=int, default=3,
                        help='interleaved rounds at w48 (a round of its '
                        'arms takes about a minute of CPU)')
    parser.add_argument('--out', help='also write the report (markdown) here')
    args = parser.parse_args(argv)
    args.only = args.only.split(',')
    unknown = set(args.only) - set(SECTIONS) - {'passes'}
    if unknown:
        parser.error(f'--only: unknown sections {sorted(unknown)}')
    if 'passes' in args.only and 'steps' not in args.only:
        args.only.append('steps')
    setup()
    lines = ['# EEDTP training cost vs plain (CPU; the machine was shared '
             'with other jobs)', ''] + header('benchmark_eedtp_cost.py', argv)
    for name, section in SECTIONS.items():
        if name in args.only:
            lines += section(args)
    write_report(lines, args.out)


if __name__ == '__main__':
    main()
