# CPU variant of GEF, from the CPU TMDDP checkpoint. Run the TMDDP config
# first (python tools/train.py configs/eedtp/eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu.py).
_base_ = './eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu.py'

load_from = 'work_dirs/eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu/iter_1000.pth'
model = dict(stage='gef')
custom_hooks = [
    dict(type='ImportanceEstimationHook', num_batches=10),
    dict(type='BenchmarkTableHook'),
    dict(type='BasicVisualizationHook', interval=1, on_val=False),
]
