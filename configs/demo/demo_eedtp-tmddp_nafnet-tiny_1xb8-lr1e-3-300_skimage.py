# The demo's EEDTP arm, stage 1 (TMDDP): the plain demo's tiny NAFNet,
# time-conditioned from outside, pre-trained as a diffusion denoiser
# (L_gen on x_t = x0 + sigmabar_t * eps) on the same clean photos. 300 of
# the arm's 1,000 iterations; GEF (demo_eedtp-gef_*.py) takes the other 700,
# so EEDTP sees as many batches as the plain baseline's 1,000 iterations.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_300.py',
    '../_base_/datasets/demo_skimage_noise25.py',
    # t_mat 4 (noisy, METHODS.md §1.3) as in the model's base
    '../_base_/models/eedtp_nafnet-tiny.py',
]

# Pre-training has no restoration to validate (the schedule's val loop never
# runs): no best checkpoint, no benchmark table.
default_hooks = dict(logger=dict(interval=50),
                     checkpoint=dict(save_best=None))
custom_hooks = []
