"""The EEDTP benchmark's seed statistics: a difference counts as outside
the seed spread only when every seed agrees in sign and the mean exceeds
both arms' own spread over seeds; the tables have a spread on every row."""
import os
import sys

import pytest

from tests.helpers import REPO

sys.path.insert(0, os.path.join(REPO, 'tools', 'analysis_tools'))
import benchmark_eedtp as bench  # noqa: E402


def test_difference_row_verdicts():
    mean, sd, lo, hi, verdict = bench.difference_row([0.3, 0.2, 0.4],
                                                     0.05, 0.1)
    assert (mean, lo, hi, verdict) == (pytest.approx(0.3), 0.2, 0.4, 'yes')
    assert sd == pytest.approx(0.1)
    # mixed signs: inside the spread however large the mean
    assert bench.difference_row([1.0, 1.2, -0.1], 0.0, 0.0)[-1] == 'no'
    # same sign but smaller than an arm's own seed spread
    assert bench.difference_row([0.1, 0.12, 0.11], 0.2, 0.01)[-1] == 'no'


def test_quality_tables_have_a_spread_on_every_row():
    seeds = [0, 1, 2]
    per_seed = {s: {a: {c: (30.0 + s * 0.1 + i, 0.8)
                        for c, _, _ in bench.CONDITIONS}
                    for i, a in enumerate(['plain', 'eedtp', 'eedtp_block'])}
                for s in seeds}
    lines = bench.quality_tables(per_seed, seeds, limit=4)
    rows = [line for line in lines if line.startswith('| sigma')
            or line.startswith('| jpeg')]
    assert len(rows) == len(bench.CONDITIONS) * (1 + len(bench.COMPARISONS))
    assert all('+-' in r for r in rows[:1])
    means = [r for r in rows if '+-' in r]
    assert len(means) == len(bench.CONDITIONS)
    diffs = [r for r in rows if '+-' not in r]
    assert all(r.count('|') == 7 for r in diffs)
    assert any('eedtp - plain | +1.000 | 0.000' in r and r.endswith('yes |')
               for r in diffs)
