# CPU variant of TMDDP on a tiny SwinIR (embed 24, two RSTBs of depth 2).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_2k.py',
    '../_base_/datasets/denoise_synthetic_train_cpu.py',
    '../_base_/datasets/denoise_color_test.py',
    '../_base_/models/eedtp_swinir-m.py',
]

model = dict(
    generator=dict(img_size=64, depths=[2, 2], embed_dim=24,
                   num_heads=[2, 2]),
    conditioner=dict(embed_dim=32))

max_iters = 1000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = dict(T_max=max_iters)
