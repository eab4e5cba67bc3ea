# The demo's plain baseline: a tiny NAFNet learns to remove Gaussian noise
# (sigma 25) from real photos bundled with scikit-image, on CPU in a few
# minutes, then is tested on photos it never saw (chelsea, coffee, camera).
# `make demo` trains it and, with the same budget, EEDTP on the same network
# (demo_eedtp-*.py), and prints both in one table.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/iter_cosine.py',
    '../_base_/datasets/demo_skimage_noise25.py',
    '../_base_/models/plain_nafnet-w32.py',
]

# the demo's tiny NAFNet (the EEDTP demo configs use the same sizes; a test
# checks that the two arms match)
model = dict(
    generator=dict(
        mid_channels=16,
        enc_blk_nums=[1, 1, 1, 2],
        middle_blk_num=1,
        dec_blk_nums=[1, 1, 1, 1]))

max_iters = 1000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = dict(T_max=max_iters)
default_hooks = dict(logger=dict(interval=50))
