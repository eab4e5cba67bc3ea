# CPU variant of TMDDP: the tiny NAFNet, 1k iterations on
# ../shared/data/train (T91 + Train400), minutes on 2 cores.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_2k.py',
    '../_base_/datasets/denoise_synthetic_train_cpu.py',
    '../_base_/datasets/denoise_color_test.py',
    '../_base_/models/eedtp_nafnet-w48.py',
]

model = dict(
    generator=dict(
        mid_channels=16,
        enc_blk_nums=[1, 1, 1, 2],
        middle_blk_num=1,
        dec_blk_nums=[1, 1, 1, 1]),
    conditioner=dict(embed_dim=32))

max_iters = 1000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = dict(T_max=max_iters)
