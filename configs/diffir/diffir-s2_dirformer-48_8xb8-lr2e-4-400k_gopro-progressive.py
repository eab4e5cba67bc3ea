# DiffIR stage 2 for GoPro with the released progressive patch sizes
# (train_DiffIRS2.yml): per GPU 8 patches of 192 px for 150k iterations,
# then 4x256 (60k), 2x320 (50k), 2x384 (60k), 1x464 (40k), 1x512 (40k).
# The loader delivers 8 crops of 512 px; ProgressivePatchHook keeps a random
# subset and window before each step. Otherwise as the base config.
_base_ = './diffir-s2_dirformer-48_8xb8-lr2e-4-400k_gopro.py'

train_pipeline = [
    dict(t, gt_patch_size=512) if t['type'] == 'PairedRandomCrop' else t
    for t in _base_.train_pipeline
]
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))

custom_hooks = [
    dict(type='ProgressivePatchHook',
         iters=[150_000, 60_000, 50_000, 60_000, 40_000, 40_000],
         patch_sizes=[192, 256, 320, 384, 464, 512],
         batch_sizes=[8, 4, 2, 2, 1, 1]),
] + _base_.custom_hooks
