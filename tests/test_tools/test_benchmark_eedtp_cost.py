"""The cost benchmark's arithmetic: the diffusion iteration is divided by
the sum of its inherent passes, and the harness takes a callable's own
seconds when it reports them (a part of its work timed)."""
import os
import sys

import pytest
import torch

from tests.helpers import REPO

sys.path.insert(0, os.path.join(REPO, 'tools', 'analysis_tools'))
import bench_harness  # noqa: E402
import benchmark_eedtp_cost as bench  # noqa: E402


def test_passes_lines_divide_by_the_sum_of_the_passes():
    """Medians in the table; the ratio is the median of the per-round ratios
    (here 1.1, 1.0 and 2.0 in the three rounds: 1.1, while the ratio of the
    medians would be 2.2 / 2.0), with their range."""
    rounds = {'gef_diff': [2.2, 4.0, 2.0], 'orthog_off': [1.1, 1.1, 1.1],
              'surgery': [1.32, 1.32, 1.32],
              'pass: grad L_res': [0.4, 0.8, 0.2],
              'pass: grad L_gen': [0.4, 0.8, 0.2],
              f'pass: {bench.HVP}': [1.1, 2.2, 0.55],
              'pass: optimizer step': [0.1, 0.2, 0.05],
              'pass (first-order): grad L_res': [0.45] * 3,
              'pass (first-order): grad L_gen': [0.45] * 3}
    text = '\n'.join(bench.passes_lines(rounds, list(bench.VARIANTS)))
    assert '| sum | 2000 ms | 1000 ms |' in text
    assert '(`gef_diff`) **1.100x** (rounds 1.000-2.000x)' in text
    # first-order: the first-order gradients plus the optimizer step
    assert '`orthog_off` **1.100x** (rounds 1.000-1.158x)' in text
    assert '`surgery` **1.320x**' in text


def test_paired_ratio_is_the_median_of_per_round_ratios():
    rounds = {'a': [1.0, 2.0, 3.0], 'b': [1.0, 1.0, 3.0]}
    assert bench_harness.paired_ratio(
        rounds, lambda r: r['a'] / r['b']) == (1.0, 1.0, 2.0)


def test_interleaved_median_takes_reported_seconds_and_grad_mode():
    seen = []

    def part():
        seen.append(torch.is_grad_enabled())
        return 0.25

    med = bench_harness.interleaved_median({'part': part}, 3, grad=True)
    assert med == {'part': pytest.approx(0.25)}
    assert seen == [True] * 4  # warm-up + 3 rounds, autograd on
    bench_harness.interleaved_median({'part': part}, 1)
    assert seen[-1] is False  # inference timing by default


def test_sections_are_a_table_of_functions():
    assert {'profile', 'steps', 'memory', 'hvp', 'adapters'} <= set(
        bench.SECTIONS)
    with pytest.raises(SystemExit):
        bench.main(['--only', 'nonsense'])
