# CPU variant of stage 1: a tiny DIRformer
# (../_base_/backbones/dirformer-tiny.py) deblurring Levin et al.'s 8 real
# camera-shake kernels (+ slight noise) synthesised on T91 + Train400 crops
# (../shared/data/train); tested on the
# first 6 CBSD68 photos blurred with the same kernels (fixed per image).
#   python tools/train.py configs/diffir/<this>.py
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_1k.py',
    '../_base_/datasets/common.py',
    '../_base_/models/diffir-s1_dirformer-tiny.py',
]

kernels = 'data/deblur/kernels/Levin09.mat'
train_dataloader = dict(
    _base_.shuffled_loader,
    num_workers=2,
    batch_size=4,
    dataset=dict(
        type='CleanImageDataset',
        data_root='data/train',
        data_prefix=dict(gt=['T91', 'Train400']),
        pipeline=[
            _base_.load_gt,
            dict(type='Crop', keys=['gt'], crop_size=(64, 64),
                 random_crop=True),
            dict(type='Flip', keys=['gt'], flip_ratio=0.5,
                 direction='horizontal'),
            dict(type='KernelBlur', kernel_file=kernels),
            dict(type='AddGaussianNoise', key_in='img', sigma=(0, 2)),
            dict(type='PackInputs'),
        ]))
test_dataloader = [dict(
    _base_.ordered_loader,
    dataset=dict(
        type='CleanImageDataset',
        data_root='data/denoise',
        data_prefix=dict(gt='CBSD68'),
        indices=6,
        pipeline=[
            _base_.load_gt,
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
