# CPU stand-in for all-in-one restoration, built from the clean photos of
# ../shared/data (symlink it as data/: `ln -s ../shared/data data`) with the
# toolbox's own synthetic degradations, one task each: noise, rain, jpeg,
# lowlight, haze, blur (Levin's real camera-shake kernels). MultiTaskDataset
# tags each with its name's EEDTP t_mat (mmdiffir/t_mat.py, METHODS.md §1.3).
# Train: random 64 crops of T91 (colour) + Train400 (grey as 3 channels),
# tasks sampled with equal ratios by MultiTaskSampler. Test: Kodak24 with a
# fixed (seeded) degradation per image and task, one table row per task.
# The MTUL configs set train_dataloader.sampler.stage_iters (incremental).
_base_ = './common.py'

crop_size = 64
train_batch = 4
test_root = 'data/denoise'
test_set = 'Kodak24'

# name -> (train degradation, test degradation)
degradations = dict(
    noise=(dict(type='AddGaussianNoise', sigma=(15, 50)),
           dict(type='AddGaussianNoise', sigma=25, seed=0)),
    rain=(dict(type='RainStreaks'), dict(type='RainStreaks', seed=0)),
    jpeg=(dict(type='JPEGCompression', quality=(10, 40)),
          dict(type='JPEGCompression', quality=20, seed=0)),
    lowlight=(dict(type='LowLight'), dict(type='LowLight', seed=0)),
    haze=(dict(type='Haze'), dict(type='Haze', seed=0)),
    blur=(dict(type='KernelBlur',
               kernel_file='data/deblur/kernels/Levin09.mat'),
          dict(type='KernelBlur',
               kernel_file='data/deblur/kernels/Levin09.mat', seed=0)),
)


def _train_task(name):
    degrade, _ = degradations[name]
    pipeline = [
        _base_.load_gt,
        dict(type='Crop', keys=['gt'], crop_size=(crop_size, crop_size),
             random_crop=True),
        dict(type='Flip', keys=['gt'], flip_ratio=0.5,
             direction='horizontal'),
        dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='vertical'),
        degrade,
        dict(type='PackInputs'),
    ]
    return dict(name=name, ratio=1.0,
                dataset=dict(type='CleanImageDataset', data_root='data/train',
                             data_prefix=dict(gt=['T91', 'Train400']),
                             pipeline=pipeline))


def _test_loader(name):
    _, degrade = degradations[name]
    pipeline = [
        _base_.load_gt,
        degrade,
        dict(type='PackInputs'),
    ]
    return dict(
        _base_.ordered_loader,
        dataset=dict(
            type='MultiTaskDataset',
            tasks=[dict(name=name,
                        dataset=dict(type='CleanImageDataset',
                                     data_root=test_root,
                                     data_prefix=dict(gt=test_set),
                                     pipeline=pipeline))]))


def _metrics(name):
    return [dict(m, prefix=name + suffix) for suffix, m in _base_.psnr_ssim]


task_names = ['noise', 'rain', 'jpeg', 'lowlight', 'haze', 'blur']
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
