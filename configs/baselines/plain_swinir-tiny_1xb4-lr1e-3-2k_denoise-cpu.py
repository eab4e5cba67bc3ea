# CPU variant of the plain SwinIR (embed 24, two RSTBs of depth 2).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_2k.py',
    '../_base_/datasets/denoise_synthetic_train_cpu.py',
    '../_base_/datasets/denoise_color_test.py',
    '../_base_/models/plain_swinir-m.py',
]

model = dict(
    generator=dict(img_size=64, depths=[2, 2], embed_dim=24,
                   num_heads=[2, 2]))
