# CPU-sized blind denoising pairs from ../shared/data/train (symlink it as
# data/: `ln -s ../shared/data data`): T91 (colour) + Train400 (grey, loaded
# as 3 equal channels), 64 crops (T91's smallest photo is 78 px).
_base_ = './denoise_synthetic_train.py'

crop_size = 64
# the DFWB pipeline at 64 crops, without the transposes
train_pipeline = [
    dict(t, crop_size=(crop_size, crop_size)) if t.type == 'Crop' else t
    for t in _base_.train_pipeline if t.type != 'RandomTransposeHW'
]
train_dataloader = dict(
    num_workers=2,
    batch_size=4,
    dataset=dict(data_prefix=dict(gt=['T91', 'Train400']),
                 pipeline=train_pipeline))
