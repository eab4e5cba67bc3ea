# CBSD68, Kodak24 and McMaster with Gaussian noise of a fixed sigma, the same
# noise for an image on every run (seeded by the image key), evaluated as one
# table: PSNR/SSIM on RGB and on the Y channel.
_base_ = './common.py'

test_sigma = 25
crop_border = 0
denoise_root = 'data/denoise'

denoise_test_pipeline = [
    _base_.load_gt,
    dict(type='AddGaussianNoise', sigma=test_sigma, seed=0),
    dict(type='PackInputs'),
]

denoise_benchmarks = ['CBSD68', 'Kodak24', 'McMaster']

test_dataloader = [
    dict(_base_.ordered_loader,
         dataset=dict(
             type='CleanImageDataset',
             data_root=denoise_root,
             data_prefix=dict(gt=name),
             pipeline=denoise_test_pipeline)) for name in denoise_benchmarks
]

test_evaluator = [[
    dict(m, prefix=name + suffix, crop_border=crop_border)
    for suffix, m in _base_.psnr_ssim
] for name in denoise_benchmarks]

# Validation during training: the smallest of the three (McMaster).
val_dataloader = [test_dataloader[2]]
val_evaluator = [test_evaluator[2]]
