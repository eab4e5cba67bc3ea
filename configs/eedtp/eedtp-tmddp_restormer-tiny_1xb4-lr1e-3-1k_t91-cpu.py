# CPU variant of TMDDP on a tiny Restormer (dim 16, one block per level).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_2k.py',
    '../_base_/datasets/denoise_synthetic_train_cpu.py',
    '../_base_/datasets/denoise_color_test.py',
    '../_base_/models/eedtp_restormer.py',
]

model = dict(
    generator=dict(dim=16, num_blocks=[1, 1, 1, 1], num_refinement_blocks=1,
                   heads=[1, 1, 2, 2]),
    conditioner=dict(embed_dim=32))

max_iters = 1000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = dict(T_max=max_iters)
