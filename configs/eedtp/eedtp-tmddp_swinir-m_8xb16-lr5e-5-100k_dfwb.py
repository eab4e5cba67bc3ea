# EEDTP stage 1 (TMDDP) on swinir at its published size; see the NAFNet
# config of the same name for the method, the schedule is the same.
#   bash tools/dist_train.sh <this config> 8      (8 GPUs x batch 2 = 16)
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/iter_cosine.py',
    '../_base_/datasets/denoise_synthetic_train.py',
    '../_base_/datasets/denoise_color_test.py',
    '../_base_/models/eedtp_swinir-m.py',
]

train_dataloader = dict(batch_size=2)

max_iters = 100_000
train_cfg = dict(max_iters=max_iters, val_interval=10_000)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=5e-5, betas=(0.9, 0.99)))
param_scheduler = dict(T_max=max_iters, eta_min=1e-7)
