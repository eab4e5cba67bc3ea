# CPU variant of stage 1: a tiny DIRformer (dim 16, one block per level)
# deblurring Levin et al.'s 8 real camera-shake kernels (+ slight noise)
# synthesised on T91 + Train400 crops (../shared/data/train); tested on the
# first 6 CBSD68 photos blurred with the same kernels (fixed per image).
#   python tools/train.py configs/diffir/<this>.py
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_2k.py',
]

kernels = 'data/deblur/kernels/Levin09.mat'
dirformer = dict(
    type='DIRformer',
    dim=16,
    num_blocks=[1, 1, 1, 1],
    num_refinement_blocks=1,
    heads=[1, 1, 2, 2],
    ffn_expansion_factor=2.0,
    bias=False,
    LayerNorm_type='WithBias')
model = dict(
    type='DiffIRS1',
    generator=dict(
        type='DiffIRS1Net',
        cpen=dict(type='CPEN', lq_channels=3, gt_channels=3, lq_unshuffle=4,
                  gt_unshuffle=4, n_feats=64, n_encoder_res=1),
        dirformer=dirformer),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    train_cfg=dict(),
    test_cfg=dict(),
    data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.],
                           std=[255., 255., 255.]))

train_dataloader = dict(
    num_workers=2,
    batch_size=4,
    persistent_workers=False,
    sampler=dict(type='KeyedInfiniteSampler', shuffle=True),
    dataset=dict(
        type='CleanImageDataset',
        data_root='data/train',
        data_prefix=dict(gt=['T91', 'Train400']),
        pipeline=[
            dict(type='LoadImageFromFile', key='gt', color_type='color',
                 channel_order='rgb', imdecode_backend='cv2'),
            dict(type='Crop', keys=['gt'], crop_size=(64, 64),
                 random_crop=True),
            dict(type='Flip', keys=['gt'], flip_ratio=0.5,
                 direction='horizontal'),
            dict(type='KernelBlur', kernel_file=kernels),
            dict(type='AddGaussianNoise', key_in='img', sigma=(0, 2)),
            dict(type='PackInputs'),
        ]))
test_dataloader = [dict(
    num_workers=2,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='CleanImageDataset',
        data_root='data/denoise',
        data_prefix=dict(gt='CBSD68'),
        indices=6,
        pipeline=[
            dict(type='LoadImageFromFile', key='gt', color_type='color',
                 channel_order='rgb', imdecode_backend='cv2'),
            dict(type='KernelBlur', kernel_file=kernels, seed=0),
            dict(type='PackInputs'),
        ]))]
test_evaluator = [[
    dict(type='PSNR', prefix='CBSD68-Levin'),
    dict(type='SSIM', prefix='CBSD68-Levin'),
    dict(type='InputPSNR', prefix='CBSD68-Levin'),
]]
val_dataloader = test_dataloader
val_evaluator = test_evaluator

max_iters = 1000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = dict(T_max=max_iters)
