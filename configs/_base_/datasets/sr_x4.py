# x4 super-resolution with the bicubic degradation (MATLAB bicubic,
# BicubicDownsample). Train: DF2K HR crops of 256 (DIV2K + Flickr2K under
# data/train), flips and transposes, batch 8 per GPU. Test: Set5 / Set14
# (data/sr, the SelfExSR layout): the HR files of image_SRF_4, downsampled
# here with the same MATLAB bicubic as the LR files shipped next to them;
# PSNR / SSIM on Y with a border of `scale` pixels, as SR papers report.
_base_ = './common.py'

scale = 4
gt_crop = 256
train_pipeline = [
    _base_.load_gt,
    dict(type='Crop', keys=['gt'], crop_size=(gt_crop, gt_crop),
         random_crop=True),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='horizontal'),
    dict(type='RandomTransposeHW', keys=['gt'], transpose_ratio=0.5),
    dict(type='BicubicDownsample', scale=scale),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    _base_.shuffled_loader,
    num_workers=8,
    batch_size=8,
    dataset=dict(type='CleanImageDataset', data_root='data/train',
                 data_prefix=dict(gt=['DIV2K_train_HR', 'Flickr2K_HR']),
                 pipeline=train_pipeline))

sr_test_pipeline = [
    _base_.load_gt,
    dict(type='BicubicDownsample', scale=scale, seed=0),
    dict(type='PackInputs'),
]
sr_sets = dict(Set5=5, Set14=14)
test_dataloader = [
    dict(_base_.ordered_loader,
         dataset=dict(
             type='CleanImageDataset',
             data_root=f'data/sr/{name}',
             data_prefix=dict(gt=f'image_SRF_{scale}'),
             names=[f'img_{i:03d}_SRF_{scale}_HR' for i in range(1, n + 1)],
             pipeline=sr_test_pipeline)) for name, n in sr_sets.items()
]
test_evaluator = [[
    dict(type='PSNR', prefix=name + '/Y', crop_border=scale,
         convert_to='Y'),
    dict(type='SSIM', prefix=name + '/Y', crop_border=scale,
         convert_to='Y'),
] for name in sr_sets]
val_dataloader = [test_dataloader[0]]
val_evaluator = [test_evaluator[0]]
