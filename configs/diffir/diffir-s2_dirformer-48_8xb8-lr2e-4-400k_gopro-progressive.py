# DiffIR stage 2 for GoPro with the released progressive patch sizes
# (train_DiffIRS2.yml): per GPU 8 patches of 192 px for 150k iterations,
# then 4x256 (60k), 2x320 (50k), 2x384 (60k), 1x464 (40k), 1x512 (40k).
# The loader delivers 8 crops of 512 px; ProgressivePatchHook keeps a random
# subset and window before each step. Otherwise as the base config.
_base_ = './diffir-s2_dirformer-48_8xb8-lr2e-4-400k_gopro.py'

train_pipeline = [
    dict(type='LoadImageFromFile', key='img', color_type='color',
         channel_order='rgb', imdecode_backend='cv2'),
    dict(type='LoadImageFromFile', key='gt', color_type='color',
         channel_order='rgb', imdecode_backend='cv2'),
    dict(type='SetValues', dictionary=dict(scale=1)),
    dict(type='PairedRandomCrop', gt_patch_size=512),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='horizontal'),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))

custom_hooks = [
    dict(type='ProgressivePatchHook',
         iters=[150_000, 60_000, 50_000, 60_000, 40_000, 40_000],
         patch_sizes=[192, 256, 320, 384, 464, 512],
         batch_sizes=[8, 4, 2, 2, 1, 1]),
    dict(type='EMAHook', momentum=0.001),
    dict(type='BenchmarkTableHook'),
    dict(type='BasicVisualizationHook', interval=1, on_val=False),
]
