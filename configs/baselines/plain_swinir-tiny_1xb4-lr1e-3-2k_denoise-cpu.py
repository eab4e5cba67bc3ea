# CPU variant of the plain SwinIR (embed 24, two RSTBs of depth 2).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_2k.py',
    '../_base_/datasets/denoise_synthetic_train_cpu.py',
    '../_base_/models/plain_swinir-tiny.py',
]
