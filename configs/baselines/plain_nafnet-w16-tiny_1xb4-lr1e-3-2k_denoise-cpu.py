# CPU variant: a tiny NAFNet trained for minutes on ../shared/data/train.
#   python tools/train.py <this config>
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_2k.py',
    '../_base_/datasets/denoise_synthetic_train_cpu.py',
    '../_base_/models/plain_nafnet-tiny.py',
]
