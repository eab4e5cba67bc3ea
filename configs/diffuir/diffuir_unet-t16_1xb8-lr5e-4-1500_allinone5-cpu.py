# DiffUIR on CPU: the universal 5-task setting as a stand-in built from the
# clean photos of ../shared/data (data/ -> ../shared/data) with the
# toolbox's synthetic degradations (those of
# ../_base_/datasets/all_in_one_cpu.py, plus snow), mixed with the
# reference's ratios haze 4 : low light 1 : rain 2 : snow 2 : blur 1
# (MultiTaskSampler).
# Network: DiffUIR-T's layout at half width (../_base_/backbones/unet-t16.py;
# the T size, 32 wide, is `model.generator.dim=32`).
# Train: random 48 crops of T91 + Train400, batch 8, 1500 iterations
# (about 10 minutes on 2 cores). Test: the 128 x 128 centre of every
# Kodak24 photo, each degraded once per task with a fixed seed; 3 sampling
# steps; one table row per task.
#   python tools/train.py configs/diffuir/<this>.py
#   python tools/analysis_tools/benchmark_diffuir.py   (PSNR vs steps)
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_1500.py',
    '../_base_/datasets/all_in_one_cpu.py',
    '../_base_/models/diffuir_unet-t16.py',
]

# blind low-light inputs without histogram equalisation: the predicted
# residual is not clamped (DiffUIRSchedule's default)
model = dict(schedule=dict(clip_residual=False))

crop_size = 48
train_batch = 8
test_crop = 128
# name -> (train degradation, test degradation): all_in_one_cpu.py's with
# snow added. MultiTaskDataset tags each task with its name's EEDTP t_mat
# (mmdiffir/t_mat.py), which DiffUIR itself never reads.
degradations = dict(
    _base_.degradations,
    snow=(dict(type='Snow'), dict(type='Snow', seed=0)))
ratios = dict(haze=4, lowlight=1, rain=2, snow=2, blur=1)
task_names = list(ratios)


def _task(name, pipeline, data_root, gt, **kw):
    return dict(name=name, **kw,
                dataset=dict(type='CleanImageDataset', data_root=data_root,
                             data_prefix=dict(gt=gt), pipeline=pipeline))


def _train_task(name):
    return _task(name, [
        _base_.load_gt,
        dict(type='Crop', keys=['gt'], crop_size=(crop_size, crop_size),
             random_crop=True),
        dict(type='Flip', keys=['gt'], flip_ratio=0.5,
             direction='horizontal'),
        degradations[name][0],
        dict(type='PackInputs'),
    ], 'data/train', ['T91', 'Train400'], ratio=ratios[name])


def _test_loader(name):
    return dict(_base_.ordered_loader, dataset=dict(
        type='MultiTaskDataset', tasks=[_task(name, [
            _base_.load_gt,
            dict(type='Crop', keys=['gt'], crop_size=(test_crop, test_crop),
                 random_crop=False),
            degradations[name][1],
            dict(type='PackInputs'),
        ], _base_.test_root, _base_.test_set)]))


train_dataloader = dict(
    num_workers=2,
    batch_size=train_batch,
    persistent_workers=False,
    sampler=dict(type='MultiTaskSampler', batch_size=train_batch),
    dataset=dict(type='MultiTaskDataset',
                 tasks=[_train_task(n) for n in task_names]))
test_dataloader = [_test_loader(n) for n in task_names]
test_evaluator = [
    [dict(m, prefix=n + suffix) for suffix, m in _base_.psnr_ssim] +
    [dict(type='InputPSNR', prefix=n)] for n in task_names]
val_dataloader = test_dataloader
val_evaluator = test_evaluator

optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=5e-4, betas=(0.9, 0.99)),
    clip_grad=dict(_delete_=True, max_norm=1.0))
param_scheduler = dict(eta_min=1e-6)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=_base_.max_iters, save_best=None))
custom_hooks = [
    *_base_.benchmark_hooks,
    # decay 0.995 as the reference, but every iteration and from a third of
    # the run: a short run's early weights would dominate an EMA updated
    # every 10 steps
    dict(type='EMAHook', ema_type='ExponentialMovingAverage',
         momentum=0.005, interval=1, begin_iter=500),
]
