# Paper-size plain NAFNet for deraining: trained on RainTrainL (the Rain100L
# training pairs, `rainy/` + `norain/`), tested on Rain100L and Rain100H.
#   bash tools/dist_train.sh <this config> 8
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/iter_cosine.py',
    '../_base_/datasets/paired_test_sets.py',
    '../_base_/models/plain_nafnet-w32.py',
]

train_pipeline = [
    _base_.load_img,
    _base_.load_gt,
    dict(type='SetValues', dictionary=dict(scale=1)),
    dict(type='PairedRandomCrop', gt_patch_size=128),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='horizontal'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    num_workers=4,
    batch_size=8,
    persistent_workers=False,
    sampler=dict(type='KeyedInfiniteSampler', shuffle=True),
    dataset=dict(type='Rain100Dataset', data_root='data/RainTrainL',
                 pipeline=train_pipeline))

test_dataloader = [_base_.rain100l_loader, _base_.rain100h_loader]
test_evaluator = [_base_.rain100l_metrics, _base_.rain100h_metrics]
val_dataloader, val_evaluator = test_dataloader[:1], test_evaluator[:1]
