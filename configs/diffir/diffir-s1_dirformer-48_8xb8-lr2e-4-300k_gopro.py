# DiffIR stage 1 for motion deblurring (GoPro), the published size
# (../_base_/backbones/dirformer-48.py). CPEN_S1 reads the prior from LQ and
# GT.
#   bash tools/dist_train.sh configs/diffir/<this>.py 8
# Tested on GoPro and HIDE (layouts: tools/dataset_converters/README.md).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/diffir_s1_300k.py',
    '../_base_/datasets/paired_test_sets.py',
    '../_base_/models/diffir-s1_dirformer-48.py',
]

crop_size = 256
train_pipeline = [
    _base_.load_img,
    _base_.load_gt,
    dict(type='SetValues', dictionary=dict(scale=1)),
    dict(type='PairedRandomCrop', gt_patch_size=crop_size),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='horizontal'),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    num_workers=8,
    batch_size=8,
    persistent_workers=False,
    sampler=dict(type='KeyedInfiniteSampler', shuffle=True),
    dataset=dict(type='GoProDataset', data_root='data/GoPro/train',
                 pipeline=train_pipeline))

test_dataloader = [{{_base_.gopro_loader}}, {{_base_.hide_loader}}]
test_evaluator = [{{_base_.gopro_metrics}}, {{_base_.hide_metrics}}]
val_dataloader = [{{_base_.gopro_loader}}]
val_evaluator = [{{_base_.gopro_metrics}}]

# the released stage-1 recipe (options/train_DiffIRS1.yml): Adam 2e-4,
# betas (0.9, 0.999), EMA 0.999 of the weights. EMAHook writes the averaged
# weights as the checkpoint's state_dict, so stage 2 (s1_checkpoint) starts
# from the EMA weights as the reference's does (param_key params_ema).
optim_wrapper = dict(optimizer=dict(betas=(0.9, 0.999)))
custom_hooks = [
    dict(type='EMAHook', momentum=0.001),
    dict(type='BenchmarkTableHook'),
    dict(type='BasicVisualizationHook', interval=1, on_val=False),
]
