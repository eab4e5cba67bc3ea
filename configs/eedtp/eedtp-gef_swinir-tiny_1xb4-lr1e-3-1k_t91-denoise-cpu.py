# CPU variant of GEF on the tiny swinir, from its CPU TMDDP checkpoint.
_base_ = './eedtp-tmddp_swinir-tiny_1xb4-lr1e-3-1k_t91-cpu.py'

load_from = 'work_dirs/eedtp-tmddp_swinir-tiny_1xb4-lr1e-3-1k_t91-cpu/iter_1000.pth'
model = dict(stage='gef')
custom_hooks = [
    dict(type='ImportanceEstimationHook', num_batches=10),
    dict(type='BenchmarkTableHook'),
    dict(type='BasicVisualizationHook', interval=1, on_val=False),
]
