# DiffIR stage 1 for x4 super-resolution (bicubic degradation): DIRformer
# dim 64, blocks [13, 1, 1, 1], refinement 13, FFN 2.2, BiasFree LN, 9 CPEN
# res-blocks (the reference x4 model), with the upsampler tail. CPEN_S1 reads
# concat(LR, unshuffle4(HR)) on the LR grid: 3 + 48 input channels.
# Trained on DF2K HR crops (DIV2K + Flickr2K under data/train) downsampled
# with MATLAB bicubic; tested on Set5 / Set14 (data/sr, the SelfExSR layout).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/iter_cosine.py',
]

scale = 4
dirformer = dict(
    type='DIRformer',
    inp_channels=3,
    out_channels=3,
    dim=64,
    num_blocks=[13, 1, 1, 1],
    num_refinement_blocks=13,
    heads=[1, 2, 4, 8],
    ffn_expansion_factor=2.2,
    bias=False,
    LayerNorm_type='BiasFree',
    scale=scale)

model = dict(
    type='DiffIRS1',
    generator=dict(
        type='DiffIRS1Net',
        cpen=dict(type='CPEN', lq_channels=3, gt_channels=3, lq_unshuffle=1,
                  gt_unshuffle=4, n_feats=64, n_encoder_res=9),
        dirformer=dirformer),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    train_cfg=dict(),
    test_cfg=dict(),
    data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.],
                           std=[255., 255., 255.]))

gt_crop = 256
train_pipeline = [
    dict(type='LoadImageFromFile', key='gt', color_type='color',
         channel_order='rgb', imdecode_backend='cv2'),
    dict(type='Crop', keys=['gt'], crop_size=(gt_crop, gt_crop),
         random_crop=True),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='horizontal'),
    dict(type='RandomTransposeHW', keys=['gt'], transpose_ratio=0.5),
    dict(type='BicubicDownsample', scale=scale),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    num_workers=8,
    batch_size=8,
    persistent_workers=False,
    sampler=dict(type='KeyedInfiniteSampler', shuffle=True),
    dataset=dict(type='CleanImageDataset', data_root='data/train',
                 data_prefix=dict(gt=['DIV2K_train_HR', 'Flickr2K_HR']),
                 pipeline=train_pipeline))

# Set5 / Set14: the HR files of image_SRF_4, downsampled here with the same
# MATLAB bicubic as the LR files shipped next to them.
sr_test_pipeline = [
    dict(type='LoadImageFromFile', key='gt', color_type='color',
         channel_order='rgb', imdecode_backend='cv2'),
    dict(type='BicubicDownsample', scale=scale, seed=0),
    dict(type='PackInputs'),
]
sr_sets = dict(Set5=5, Set14=14)
test_dataloader = [
    dict(
        num_workers=2,
        persistent_workers=False,
        drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='CleanImageDataset',
            data_root=f'data/sr/{name}',
            data_prefix=dict(gt=f'image_SRF_{scale}'),
            names=[f'img_{i:03d}_SRF_{scale}_HR' for i in range(1, n + 1)],
            pipeline=sr_test_pipeline)) for name, n in sr_sets.items()
]
# SR papers report PSNR / SSIM on Y with a border of `scale` pixels
test_evaluator = [[
    dict(type='PSNR', prefix=name + '/Y', crop_border=scale,
         convert_to='Y'),
    dict(type='SSIM', prefix=name + '/Y', crop_border=scale,
         convert_to='Y'),
] for name in sr_sets]
val_dataloader = [test_dataloader[0]]
val_evaluator = [test_evaluator[0]]

max_iters = 300_000
train_cfg = dict(max_iters=max_iters, val_interval=20_000)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=2e-4, betas=(0.9, 0.99), weight_decay=0.))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False,
                       T_max=max_iters, eta_min=1e-6)
