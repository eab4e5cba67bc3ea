# Blind colour denoising pairs made on the fly from clean photos: the usual
# DFWB set (DIV2K + Flickr2K + WED + BSD400 under data/train), 128 crops.
# CPU variants swap in denoise_synthetic_train_cpu.py (T91 + Train400, the
# photos in ../shared/data/train). Tested on the colour denoising table
# (denoise_color_test.py).
_base_ = './denoise_color_test.py'

train_sigma = (0, 25)
crop_size = 128

train_pipeline = [
    _base_.load_gt,
    dict(type='Crop', keys=['gt'], crop_size=(crop_size, crop_size),
         random_crop=True),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='horizontal'),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='vertical'),
    dict(type='RandomTransposeHW', keys=['gt'], transpose_ratio=0.5),
    dict(type='AddGaussianNoise', sigma=train_sigma),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    _base_.shuffled_loader,
    batch_size=8,
    dataset=dict(
        type='CleanImageDataset',
        data_root='data/train',
        data_prefix=dict(
            gt=['DIV2K_train_HR', 'Flickr2K_HR', 'WED', 'BSD400']),
        pipeline=train_pipeline))
