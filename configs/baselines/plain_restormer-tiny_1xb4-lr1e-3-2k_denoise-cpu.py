# CPU variant of the plain Restormer (dim 16, one block per level).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_2k.py',
    '../_base_/datasets/denoise_synthetic_train_cpu.py',
    '../_base_/models/plain_restormer-tiny.py',
]
