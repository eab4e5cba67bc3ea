# Paper-size plain SwinIR (colour denoising size) for blind colour denoising.
#   bash tools/dist_train.sh <this config> 8
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/iter_cosine.py',
    '../_base_/datasets/denoise_synthetic_train.py',
    '../_base_/models/plain_swinir-m.py',
]

max_iters = 500_000
train_cfg = dict(max_iters=max_iters)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=2e-4, betas=(0.9, 0.99)))
param_scheduler = dict(T_max=max_iters)
