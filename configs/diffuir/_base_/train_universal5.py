# DiffUIR's reference training on the universal 5-task setting
# (./universal5.py), for every UNet size: a config adds the model,
#   _base_ = ['./_base_/train_universal5.py',
#             '../_base_/models/diffuir_unet-<size>.py']
# Reference training: 300k updates of batch 10 x 2 accumulated (600k
# iterations here), Adam 8e-5 (0.9, 0.99), constant LR, gradient clipping
# 1.0, EMA 0.995 every 10 updates.
_base_ = [
    '../../_base_/default_runtime.py',
    './universal5.py',
]

train_dataloader = _base_.train_universal5
test_dataloader = _base_.test_universal5
test_evaluator = _base_.metrics_universal5
# validating on all eleven sets with full-size images is slow: SOTS,
# Rain100L and LOL are the quick check during training
val_dataloader = _base_.val_universal5
val_evaluator = _base_.val_metrics_universal5

# 600k iterations of batch 10, 2 accumulated per update = the reference's
# 300k updates of 20 crops
max_iters = 600_000
train_cfg = dict(type='FastResumeIterBasedTrainLoop', max_iters=max_iters,
                 val_interval=20_000)
val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')

optim_wrapper = dict(
    type='OptimWrapper',
    # fused: as ../../_base_/schedules/iter_cosine.py
    optimizer=dict(type='Adam', lr=8e-5, betas=(0.9, 0.99), fused=True),
    clip_grad=dict(max_norm=1.0),
    accumulative_counts=2)
# constant LR, as the reference
param_scheduler = dict(type='ConstantLR', factor=1.0, by_epoch=False)

default_hooks = dict(checkpoint=dict(interval=20_000, save_best=None))
custom_hooks = [
    *_base_.benchmark_hooks,
    # EMA of the weights, decay 0.995 (mmengine momentum = 1 - decay) every
    # 10 updates (= 20 iterations) after the first 100 updates: the
    # reference's ema_pytorch settings (its power-law warm-up of the decay
    # is not reproduced). Val/test use the averaged weights and checkpoints
    # store them as `state_dict`.
    dict(type='EMAHook', ema_type='ExponentialMovingAverage',
         momentum=0.005, interval=20, begin_iter=200),
]
