# EEDTP stage 2 (GEF) on swinir, from its TMDDP checkpoint.
_base_ = './eedtp-tmddp_swinir-m_8xb16-lr5e-5-100k_dfwb.py'

load_from = 'work_dirs/eedtp-tmddp_swinir-m_8xb16-lr5e-5-100k_dfwb/iter_100000.pth'
model = dict(stage='gef')

max_iters = 500_000
train_cfg = dict(max_iters=max_iters, val_interval=20_000)
param_scheduler = dict(T_max=max_iters)
custom_hooks = [
    dict(type='ImportanceEstimationHook', num_batches=50),
    dict(type='BenchmarkTableHook'),
    dict(type='BasicVisualizationHook', interval=1, on_val=False),
]
