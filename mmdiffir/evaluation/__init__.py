from .benchmark_table import BenchmarkTableHook, benchmark_table, split_metrics
from .input_metrics import InputPSNR, InputSSIM

__all__ = ['BenchmarkTableHook', 'benchmark_table', 'split_metrics',
           'InputPSNR', 'InputSSIM']
