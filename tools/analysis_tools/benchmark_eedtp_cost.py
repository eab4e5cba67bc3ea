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
  step (tiny NAFNet, batch 8x192x192), each in its own process;
* ``adapters``: inference with / without the MTUL TaskAdapters
  (``adapter_latency.py``'s report: NAFNet-w48 and the tiny NAFNet at
  256x256 and 1280x720, the Winograd and the direct path, a per-level
  profile).

Every timed callable of one size runs in interleaved rounds (all arms one
after the other, ``--repeats`` rounds, median; see
``bench_harness.interleaved_rounds``); the batch copy is not timed. The
headline ratios of ``steps`` and ``passes`` are medians over the rounds of
each round's own ratio, with their range (``bench_harness.paired_ratio``).
The GEF arms share one model (their weights drift apart from the plain
ones, which does not change a step's cost).

    OMP_NUM_THREADS=1 python tools/analysis_tools/benchmark_eedtp_cost.py \
        --only profile,steps,passes,memory,adapters --repeats 41 \
        --repeats-w48 5 --adapter-repeats 7 --adapter-large-repeats 3 \
        --out docs/benchmarks/eedtp_cost.md
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_harness import (header, interleaved_median,  # noqa: E402
                           interleaved_rounds, medians, paired_ratio,
                           ratio_text, setup, table, write_report)
from eedtp_cost_arms import (HVP, SIZE_VARIANTS, SIZES,  # noqa: E402,F401
                             VARIANTS, build, pass_arms, peak_memory,
                             profile_arms, step_arms, train_batch)

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


def adapters_section(args):
    """The MTUL adapters' inference cost (adapter_latency.py's report, at
    its own sizes: NAFNet-w48 and the tiny NAFNet, 256x256 and 1280x720)."""
    from adapter_latency import adapter_latency_lines
    return ['# Inference: NAFNet with / without the MTUL TaskAdapters', ''] \
        + adapter_latency_lines(args.adapter_repeats,
                                args.adapter_large_repeats) + ['']


# section name -> function(args) -> report lines; 'passes' rides on the
# step rounds (its passes are interleaved with the steps)
SECTIONS = {
    'profile': profile_section,
    'steps': steps_section,
    'memory': memory_section,
    'hvp': hvp_section,
    'adapters': adapters_section,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--only', default='steps,passes,memory,adapters',
                        help='comma-separated sections: profile, steps, '
                        'passes (timed with the steps), memory, hvp, '
                        'adapters (inference with / without TaskAdapters)')
    parser.add_argument('--sizes', nargs='+', default=list(SIZES),
                        choices=list(SIZES))
    parser.add_argument('--repeats', type=int, default=7,
                        help='interleaved rounds at the tiny size')
    parser.add_argument('--repeats-w48', type=int, default=3,
                        help='interleaved rounds at w48 (a round of its '
                        'arms takes about a minute of CPU)')
    parser.add_argument('--adapter-repeats', type=int, default=5,
                        help='interleaved rounds of the adapters section at '
                        '256x256 (and of the tiny NAFNet at 1280x720)')
    parser.add_argument('--adapter-large-repeats', type=int, default=1,
                        help='rounds of NAFNet-w48 at 1280x720 (about a '
                        'minute a pass on one core)')
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
