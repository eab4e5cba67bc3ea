# CPU variant of TMDDP: 1k iterations on ../shared/data/train (T91 +
# Train400), minutes on 2 cores. A leaf adds the model:
# ./models/eedtp_<backbone>-tiny.py.
_base_ = [
    './default_runtime.py',
    './schedules/cpu_1k.py',
    './datasets/denoise_synthetic_train_cpu.py',
]
