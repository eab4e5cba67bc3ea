# The demo's EEDTP arm, stage 1 (TMDDP): the plain demo's tiny NAFNet,
# time-conditioned from outside, pre-trained as a diffusion denoiser
# (L_gen on x_t = x0 + sigmabar_t * eps) on the same clean photos. 300 of
# the arm's 1,000 iterations; GEF (demo_eedtp-gef_*.py) takes the other 700,
# so EEDTP sees as many batches as the plain baseline's 1,000 iterations.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/iter_cosine.py',
    '../_base_/datasets/demo_skimage_noise25.py',
    '../_base_/models/eedtp_nafnet-w48.py',
]

model = dict(
    generator=dict(
        mid_channels=16,
        enc_blk_nums=[1, 1, 1, 2],
        middle_blk_num=1,
        dec_blk_nums=[1, 1, 1, 1]),
    conditioner=dict(embed_dim=32),
    t_mat=4)  # METHODS.md §1.3: noisy 4

max_iters = 300
# Pre-training has no restoration to validate: the val loop never runs.
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
param_scheduler = dict(T_max=max_iters)
default_hooks = dict(logger=dict(interval=50),
                     checkpoint=dict(save_best=None))
custom_hooks = []
