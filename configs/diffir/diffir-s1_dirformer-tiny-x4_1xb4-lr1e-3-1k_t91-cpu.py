# CPU variant of x4 SR stage 1: a tiny DIRformer with the upsampler tail
# (../_base_/backbones/dirformer-tiny-x4.py) on 64x64 HR crops of T91 +
# Train400 (bicubic-downsampled to 16x16); tested on Set5 and Set14 (Y PSNR
# / SSIM, border 4).
#   python tools/train.py configs/diffir/<this>.py
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_1k.py',
    '../_base_/datasets/sr_x4.py',
    '../_base_/models/diffir-s1_dirformer-tiny-x4.py',
]

train_pipeline = [
    _base_.load_gt,
    dict(type='Crop', keys=['gt'], crop_size=(64, 64), random_crop=True),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='horizontal'),
    dict(type='BicubicDownsample', scale=4),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    num_workers=2,
    batch_size=4,
    dataset=dict(data_prefix=dict(gt=['T91', 'Train400']),
                 pipeline=train_pipeline))

default_hooks = dict(checkpoint=dict(interval=1000))
