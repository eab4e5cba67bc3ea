# CBSD68, Kodak24 and McMaster with Gaussian noise of a fixed sigma, the same
# noise for an image on every run (seeded by the image key), evaluated as one
# table: PSNR/SSIM on RGB and on the Y channel.
test_sigma = 25
crop_border = 0
denoise_root = 'data/denoise'

denoise_test_pipeline = [
    dict(type='LoadImageFromFile', key='gt', color_type='color',
         channel_order='rgb', imdecode_backend='cv2'),
    dict(type='AddGaussianNoise', sigma=test_sigma, seed=0),
    dict(type='PackInputs'),
]

denoise_benchmarks = ['CBSD68', 'Kodak24', 'McMaster']

test_dataloader = [
    dict(
        num_workers=2,
        persistent_workers=False,
        drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='CleanImageDataset',
            data_root=denoise_root,
            data_prefix=dict(gt=name),
            pipeline=denoise_test_pipeline)) for name in denoise_benchmarks
]

test_evaluator = [[
    dict(type='PSNR', prefix=name, crop_border=crop_border),
    dict(type='SSIM', prefix=name, crop_border=crop_border),
    dict(type='PSNR', prefix=name + '/Y', crop_border=crop_border,
         convert_to='Y'),
    dict(type='SSIM', prefix=name + '/Y', crop_border=crop_border,
         convert_to='Y'),
] for name in denoise_benchmarks]

# Validation during training: the smallest of the three (McMaster).
val_dataloader = [test_dataloader[2]]
val_evaluator = [test_evaluator[2]]
