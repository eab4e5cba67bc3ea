# CPU-sized blind denoising pairs from ../shared/data/train (symlink it as
# data/: `ln -s ../shared/data data`): T91 (colour) + Train400 (grey, loaded
# as 3 equal channels), 64 crops (T91's smallest photo is 78 px).
_base_ = './denoise_synthetic_train.py'

crop_size = 64
train_pipeline = [
    _base_.load_gt,
    dict(type='Crop', keys=['gt'], crop_size=(crop_size, crop_size),
         random_crop=True),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='horizontal'),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='vertical'),
    dict(type='AddGaussianNoise', sigma=_base_.train_sigma),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    num_workers=2,
    batch_size=4,
    dataset=dict(data_prefix=dict(gt=['T91', 'Train400']),
                 pipeline=train_pipeline))
