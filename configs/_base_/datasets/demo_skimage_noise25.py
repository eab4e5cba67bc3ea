# The demo's data: Gaussian noise sigma 25 on the real photos bundled with
# scikit-image (EmbeddedPhotoDataset: 9 training photos, 3 held-out test
# photos, chelsea, coffee, camera). Needs nothing but the install.
_base_ = './common.py'

sigma = 25
load = _base_.load_gt
train_pipeline = [
    load,
    dict(type='Crop', keys=['gt'], crop_size=(64, 64), random_crop=True),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='horizontal'),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='vertical'),
    dict(type='AddGaussianNoise', sigma=sigma),
    dict(type='PackInputs'),
]
test_pipeline = [
    load,
    dict(type='AddGaussianNoise', sigma=sigma, seed=0),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    _base_.shuffled_loader,
    num_workers=2,
    batch_size=8,
    dataset=dict(type='EmbeddedPhotoDataset', split='train',
                 pipeline=train_pipeline))
test_dataloader = dict(
    _base_.ordered_loader,
    num_workers=1,
    dataset=dict(type='EmbeddedPhotoDataset', split='test',
                 pipeline=test_pipeline))
# PSNR comes first: CheckpointHook's save_best='auto' tracks the first metric.
test_evaluator = [
    dict(type='PSNR', prefix='skimage-test'),
    dict(type='InputPSNR', prefix='skimage-test'),
    dict(type='SSIM', prefix='skimage-test'),
    dict(type='PSNR', prefix='skimage-test/Y', convert_to='Y'),
]
val_dataloader = test_dataloader
val_evaluator = test_evaluator
