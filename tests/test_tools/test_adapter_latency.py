"""tools/analysis_tools/adapter_latency.py: the rows it prints are computed
from the models they name (small sizes only; the numbers themselves come
from the committed run, the adapters section of
docs/benchmarks/eedtp_cost.md)."""
import re
import time

import torch

from tests.helpers import load_tool

tool = load_tool('tools/analysis_tools/adapter_latency.py')


def test_model_lines_tiny_nafnet_with_the_cpu_mtul_adapters(registered):
    rows = tool.model_lines('nafnet-tiny', {tool.SMALL: 1}, tool.MTUL_CPU)
    (row, ) = rows
    assert row[:4] == ['nafnet-tiny', '2', '256x256', '1']
    assert float(row[4]) > 0 and float(row[5]) > 0
    # default / bare, default / its time outside the adapters, direct
    # convs / bare, training form / bare
    for ratio in row[6:10]:
        assert re.fullmatch(r'\*\*\d+\.\d{3}x\*\* \(rounds '
                            r'\d+\.\d{3}-\d+\.\d{3}x\)', ratio), ratio
    assert float(row[7][2:7]) > 1  # the adapters take time in the pass
    # the default (no-grad, Winograd) path and the direct one equal the
    # training form to 1e-5
    assert float(row[10]) <= 1e-5 and float(row[11]) <= 1e-5
    assert row[12].endswith('G)')


def test_adapter_clock_times_the_adapters_inside_the_pass(registered):
    """The clock counts the time inside every adapter of a pass (here each
    adapter also sleeps 50 ms, which it must count) and gives one ratio
    per pass, above 1."""
    from mmdiffir.models.conditioning import MoEAdapter
    _, with_ad = tool.build('nafnet-tiny', tool.MTUL_CPU)
    n = sum(isinstance(m, MoEAdapter) for m in with_ad.modules())
    for moe in with_ad.modules():
        if isinstance(moe, MoEAdapter):
            moe.register_forward_hook(lambda *a: time.sleep(0.05))
    clock = tool.AdapterClock(with_ad)
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        clock.timed(x)
        clock.timed(x)
    assert len(clock.ratios) == 2 and len(clock.inside) == n
    assert sum(clock.inside) >= 0.05 * n
    assert all(r > 1 for r in clock.ratios)


def test_multiply_adds_count_the_adapters_exactly(registered):
    """The adapters' multiply-adds: 9*C*N*h + 9*h*h*N + N*h*C per pixel of
    each hooked level (h = C/4), summed over the levels."""
    _, with_ad = tool.build('nafnet-tiny', tool.MTUL_CPU)
    adapter = with_ad.task_adapter
    shapes = {}
    handles = [m.register_forward_hook(
        lambda mod, a, out, k=k: shapes.__setitem__(k, out.shape))
        for k, m in adapter.adapters.items()]
    with torch.no_grad():
        with_ad(torch.zeros(1, 3, 64, 64))
    for h in handles:
        h.remove()
    want = 0
    for k, moe in adapter.adapters.items():
        c, hid, n = moe.conv_in.in_channels, moe.hidden, moe.num_experts
        want += shapes[k][2] * shapes[k][3] * (
            9 * c * n * hid + 9 * hid * hid * n + n * hid * c)
    assert tool.multiply_adds(with_ad, (64, 64))[1] == want
