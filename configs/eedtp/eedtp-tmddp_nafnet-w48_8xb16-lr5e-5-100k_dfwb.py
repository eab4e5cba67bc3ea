# EEDTP stage 1, TMDDP: diffusion denoising pre-training on clean photos
# (x_t = x0 + sigmabar_t eps, t ~ U{1..50}, L_gen only). The pipeline makes
# noisy inputs too, but stage 'tmddp' reads only the clean GT.
#   bash tools/dist_train.sh <this config> 8      (8 GPUs x batch 2 = 16)
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/iter_cosine.py',
    '../_base_/datasets/denoise_synthetic_train.py',
    '../_base_/datasets/denoise_color_test.py',
    '../_base_/models/eedtp_nafnet-w48.py',
]

train_dataloader = dict(batch_size=2)  # per GPU: 8 x 2 = 16

max_iters = 100_000
train_cfg = dict(max_iters=max_iters, val_interval=10_000)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=5e-5, betas=(0.9, 0.99)))
param_scheduler = dict(T_max=max_iters, eta_min=1e-7)
