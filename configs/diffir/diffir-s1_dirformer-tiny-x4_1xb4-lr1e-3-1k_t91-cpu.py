# CPU variant of x4 SR stage 1: a tiny DIRformer with the upsampler tail on
# 64x64 HR crops of T91 + Train400 (bicubic-downsampled to 16x16); tested on
# Set5 and Set14 (Y PSNR / SSIM, border 4).
#   python tools/train.py configs/diffir/<this>.py
_base_ = './diffir-s1_dirformer-64-x4_8xb8-lr2e-4-300k_df2k.py'

model = dict(generator=dict(
    cpen=dict(n_encoder_res=1),
    dirformer=dict(dim=16, num_blocks=[1, 1, 1, 1], num_refinement_blocks=1,
                   heads=[1, 1, 2, 2], ffn_expansion_factor=2.0)))

train_pipeline = [
    dict(type='LoadImageFromFile', key='gt', color_type='color',
         channel_order='rgb', imdecode_backend='cv2'),
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

max_iters = 1000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(optimizer=dict(lr=1e-3, betas=(0.9, 0.9)))
param_scheduler = dict(T_max=max_iters, eta_min=1e-7)
default_hooks = dict(checkpoint=dict(interval=1000))
