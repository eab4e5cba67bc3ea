# A new task by inheritance: deblurring with Levin et al.'s 8 real
# camera-shake kernels (plus slight noise) on the CPU NAFNet's clean photos.
_base_ = './plain_nafnet-w16-tiny_1xb4-lr1e-3-2k_denoise-cpu.py'

kernels = 'data/deblur/kernels/Levin09.mat'
train_dataloader = dict(dataset=dict(pipeline=[
    _base_.load_gt,
    dict(type='Crop', keys=['gt'], crop_size=(64, 64), random_crop=True),
    dict(type='KernelBlur', kernel_file=kernels),
    dict(type='AddGaussianNoise', key_in='img', sigma=(0, 2)),
    dict(type='PackInputs'),
]))
# Tested on Kodak24 blurred with the same kernels (fixed per image); a list
# of one set, replacing the parent's list of three.
test_dataloader = [dict(
    _base_.ordered_loader,
    dataset=dict(
        type='CleanImageDataset',
        data_root='data/denoise',
        data_prefix=dict(gt='Kodak24'),
        pipeline=[
            _base_.load_gt,
            dict(type='KernelBlur', kernel_file=kernels, seed=0),
            dict(type='PackInputs'),
        ]))]
test_evaluator = [[
    dict(type='PSNR', prefix='Kodak24-Levin'),
    dict(type='SSIM', prefix='Kodak24-Levin'),
    dict(type='InputPSNR', prefix='Kodak24-Levin'),
]]
val_dataloader = test_dataloader
val_evaluator = test_evaluator
