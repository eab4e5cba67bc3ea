# Paper-size plain Restormer for blind colour denoising.
#   bash tools/dist_train.sh <this config> 8
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/iter_cosine.py',
    '../_base_/datasets/denoise_synthetic_train.py',
    '../_base_/models/plain_restormer.py',
]

max_iters = 300_000
train_cfg = dict(max_iters=max_iters)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=3e-4, betas=(0.9, 0.999),
                   weight_decay=1e-4))
param_scheduler = dict(T_max=max_iters, eta_min=1e-6)
