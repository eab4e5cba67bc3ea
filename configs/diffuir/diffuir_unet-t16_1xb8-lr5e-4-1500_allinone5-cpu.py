# DiffUIR on CPU: the universal 5-task setting as a stand-in built from the
# clean photos of ../shared/data (data/ -> ../shared/data) with the
# toolbox's synthetic degradations, mixed with the reference's ratios
# haze 4 : low light 1 : rain 2 : snow 2 : blur 1 (MultiTaskSampler).
# Network: DiffUIR-T's layout at half width, UNet 16-(1, 1, 1, 1) (0.26M
# parameters; the T size, 32 wide, is `model.generator.dim=32`).
# Train: random 48 crops of T91 + Train400, batch 8, 1500 iterations
# (about 10 minutes on 2 cores). Test: the 128 x 128 centre of every
# Kodak24 photo, each degraded once per task with a fixed seed; 3 sampling
# steps; one table row per task.
#   python tools/train.py configs/diffuir/<this>.py
#   python tools/analysis_tools/benchmark_diffuir.py   (PSNR vs steps)
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_2k.py',
]

crop_size = 48
train_batch = 8
test_crop = 128
kernels = 'data/deblur/kernels/Levin09.mat'
# name -> (ratio, train degradation, test degradation); MultiTaskDataset
# tags each task with the t_mat table's value (unused by DiffUIR)
degradations = dict(
    haze=(4, dict(type='Haze'), dict(type='Haze', seed=0)),
    lowlight=(1, dict(type='LowLight'), dict(type='LowLight', seed=0)),
    rain=(2, dict(type='RainStreaks'), dict(type='RainStreaks', seed=0)),
    snow=(2, dict(type='Snow'), dict(type='Snow', seed=0)),
    blur=(1, dict(type='KernelBlur', kernel_file=kernels),
          dict(type='KernelBlur', kernel_file=kernels, seed=0)),
)
task_names = ['haze', 'lowlight', 'rain', 'snow', 'blur']

model = dict(
    type='DiffUIR',
    generator=dict(type='DiffUIRUNet', dim=16, dim_mults=(1, 1, 1, 1)),
    schedule=dict(type='DiffUIRSchedule', sampling_steps=3, start_noise=0.1),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    train_cfg=dict(),
    test_cfg=dict(seed=0),
    data_preprocessor=dict(
        type='DataPreprocessor',
        mean=[127.5, 127.5, 127.5],
        std=[127.5, 127.5, 127.5]))


def _train_task(name):
    ratio, degrade, _ = degradations[name]
    pipeline = [
        dict(type='LoadImageFromFile', key='gt', color_type='color',
             channel_order='rgb', imdecode_backend='cv2'),
        dict(type='Crop', keys=['gt'], crop_size=(crop_size, crop_size),
             random_crop=True),
        dict(type='Flip', keys=['gt'], flip_ratio=0.5,
             direction='horizontal'),
        degrade,
        dict(type='PackInputs'),
    ]
    return dict(name=name, ratio=ratio,
                dataset=dict(type='CleanImageDataset', data_root='data/train',
                             data_prefix=dict(gt=['T91', 'Train400']),
                             pipeline=pipeline))


def _test_loader(name):
    _, _, degrade = degradations[name]
    pipeline = [
        dict(type='LoadImageFromFile', key='gt', color_type='color',
             channel_order='rgb', imdecode_backend='cv2'),
        dict(type='Crop', keys=['gt'], crop_size=(test_crop, test_crop),
             random_crop=False),
        degrade,
        dict(type='PackInputs'),
    ]
    return dict(
        num_workers=2,
        persistent_workers=False,
        drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='MultiTaskDataset',
            tasks=[dict(name=name,
                        dataset=dict(type='CleanImageDataset',
                                     data_root='data/denoise',
                                     data_prefix=dict(gt='Kodak24'),
                                     pipeline=pipeline))]))


def _metrics(name):
    return [
        dict(type='PSNR', prefix=name),
        dict(type='SSIM', prefix=name),
        dict(type='PSNR', prefix=name + '/Y', convert_to='Y'),
        dict(type='SSIM', prefix=name + '/Y', convert_to='Y'),
        dict(type='InputPSNR', prefix=name),
    ]


train_dataloader = dict(
    num_workers=2,
    batch_size=train_batch,
    persistent_workers=False,
    sampler=dict(type='MultiTaskSampler', batch_size=train_batch),
    dataset=dict(type='MultiTaskDataset',
                 tasks=[_train_task(n) for n in task_names]))
test_dataloader = [_test_loader(n) for n in task_names]
test_evaluator = [_metrics(n) for n in task_names]
val_dataloader = test_dataloader
val_evaluator = test_evaluator

max_iters = 1500
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=5e-4, betas=(0.9, 0.99)),
    clip_grad=dict(_delete_=True, max_norm=1.0))
param_scheduler = dict(T_max=max_iters, eta_min=1e-6)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=max_iters, save_best=None))
custom_hooks = [
    dict(type='BenchmarkTableHook'),
    dict(type='BasicVisualizationHook', interval=1, on_val=False),
    # decay 0.995 as the reference, but every iteration and from a third of
    # the run: a short run's early weights would dominate an EMA updated
    # every 10 steps
    dict(type='EMAHook', ema_type='ExponentialMovingAverage',
         momentum=0.005, interval=1, begin_iter=500),
]
