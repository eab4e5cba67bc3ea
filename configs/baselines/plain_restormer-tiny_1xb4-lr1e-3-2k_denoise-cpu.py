# CPU variant of the plain Restormer (dim 16, one block per level).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_2k.py',
    '../_base_/datasets/denoise_synthetic_train_cpu.py',
    '../_base_/datasets/denoise_color_test.py',
    '../_base_/models/plain_restormer.py',
]

model = dict(
    generator=dict(dim=16, num_blocks=[1, 1, 1, 1], num_refinement_blocks=1,
                   heads=[1, 1, 2, 2]))
