"""One table of every benchmark's metrics (rows) and the average.

mmagic's ``MultiTestLoop`` returns nothing and only hands the merged metric
dict (``{'<benchmark>/PSNR': .., '<benchmark>/Y/SSIM': ..}``) to the
``after_test_epoch`` hooks, so the table is a hook. Metric names follow the
config convention ``prefix='<benchmark>'`` for RGB and ``'<benchmark>/Y'``
for Y-channel metrics.
"""
import json
import os.path as osp
from collections import OrderedDict
from typing import Dict, Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log
from prettytable import PrettyTable

from mmdiffir.registry import HOOKS


def split_metrics(metrics: Dict[str, float]) -> 'OrderedDict[str, dict]':
    """{'CBSD68/Y/PSNR': v} -> {'CBSD68': {'PSNR-Y': v}} (insertion order)."""
    rows: 'OrderedDict[str, dict]' = OrderedDict()
    for name, value in metrics.items():
        parts = name.split('/')
        bench = parts[0] if len(parts) > 1 else 'all'
        column = parts[-1] + ''.join(f'-{p}' for p in parts[1:-1])
        rows.setdefault(bench, OrderedDict())[column] = float(value)
    return rows


def benchmark_table(metrics: Dict[str, float], digits: int = 4,
                    average: bool = True) -> PrettyTable:
    """PrettyTable with a row per benchmark, a column per metric and, when
    there are several benchmarks, an ``average`` row (mean over the
    benchmarks that report that metric)."""
    rows = split_metrics(metrics)
    columns = []
    for cols in rows.values():
        columns += [c for c in cols if c not in columns]
    table = PrettyTable(['benchmark'] + columns)
    table.align = 'r'
    table.align['benchmark'] = 'l'
    fmt = f'{{:.{digits}f}}'
    for bench, cols in rows.items():
        table.add_row([bench] + [fmt.format(cols[c]) if c in cols else '-'
                                 for c in columns])
    if average and len(rows) > 1:
        avg = []
        for c in columns:
            vals = [cols[c] for cols in rows.values() if c in cols]
            avg.append(fmt.format(sum(vals) / len(vals)))
        table.add_row(['average'] + avg)
    return table


@HOOKS.register_module()
class BenchmarkTableHook(Hook):
    """Print the benchmark table after validation and testing; after testing
    also write it to ``<work_dir>/<timestamp>/benchmark_table.{txt,json}``.

    Args:
        digits (int): decimals shown.
        on_val (bool): print after every validation too.
    """
    priority = 'LOW'

    def __init__(self, digits: int = 4, on_val: bool = True):
        self.digits = digits
        self.on_val = on_val

    def _show(self, runner, metrics: Optional[dict], save: bool):
        if not metrics:
            return
        table = benchmark_table(metrics, self.digits)
        print_log('\n' + table.get_string(), logger='current')
        if save and is_main_process():
            out = osp.join(runner.log_dir, 'benchmark_table')
            with open(out + '.txt', 'w') as f:
                f.write(table.get_string() + '\n')
            with open(out + '.json', 'w') as f:
                json.dump(split_metrics(metrics), f, indent=2)

    def after_val_epoch(self, runner, metrics=None):
        if self.on_val:
            self._show(runner, metrics, save=False)

    def after_test_epoch(self, runner, metrics=None):
        self._show(runner, metrics, save=True)
