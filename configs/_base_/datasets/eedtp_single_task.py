# Training pairs of EEDTP's single-task experiments (METHODS.md §1.7), in the
# published layouts (tools/dataset_converters/README.md), one loader per
# task: <task>_train. 128 crops, flips and transposes as the reference's
# fine-tuning; batch 2 per GPU (8 GPUs x 2 = the reference's 16). With the
# published test sets (paired_test_sets.py); single_task_<set>.py picks one
# experiment's loaders.
_base_ = './paired_test_sets.py'

paired_train_pipeline = [
    _base_.load_img,
    _base_.load_gt,
    dict(type='SetValues', dictionary=dict(scale=1)),
    dict(type='PairedRandomCrop', gt_patch_size=128),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='horizontal'),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='PackInputs'),
]


def _train(dataset_type, data_root, **kwargs):
    return dict(_base_.shuffled_loader, batch_size=2,
                dataset=dict(type=dataset_type, data_root=data_root,
                             pipeline=paired_train_pipeline, **kwargs))


# Rain100L's 200 training pairs (RainTrainL)
rain100l_train = _train('Rain100Dataset', 'data/RainTrainL')
# LOL-v1's 485 training pairs
lol_train = _train('LOLDataset', 'data/LOL/our485')
# Snow100K's training split (synthetic/ + gt/)
snow100k_train = _train('Snow100KDataset', 'data/Snow100K/train')
# RESIDE ITS (indoor training set: hazy/1_1_0.90179.png with clear/1.png)
reside_its_train = _train('SOTSDataset', 'data/ITS',
                          data_prefix=dict(gt='clear'))
