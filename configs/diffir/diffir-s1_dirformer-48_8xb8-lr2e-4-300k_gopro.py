# DiffIR stage 1 for motion deblurring (GoPro), the published size: DIRformer
# dim 48, blocks [3, 5, 6, 6], refinement 4, heads [1, 2, 4, 8], FFN 2.0,
# CPEN with 5 res-blocks. CPEN_S1 reads the prior from LQ and GT.
#   bash tools/dist_train.sh configs/diffir/<this>.py 8
# Tested on GoPro and HIDE (layouts: tools/dataset_converters/README.md).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/iter_cosine.py',
    '../_base_/datasets/paired_test_sets.py',
]

dirformer = dict(
    type='DIRformer',
    inp_channels=3,
    out_channels=3,
    dim=48,
    num_blocks=[3, 5, 6, 6],
    num_refinement_blocks=4,
    heads=[1, 2, 4, 8],
    ffn_expansion_factor=2.0,
    bias=False,
    LayerNorm_type='WithBias',
    scale=1)

model = dict(
    type='DiffIRS1',
    generator=dict(
        type='DiffIRS1Net',
        # concat(unshuffle4(LQ), unshuffle4(GT)): 48 + 48 input channels
        cpen=dict(type='CPEN', lq_channels=3, gt_channels=3, lq_unshuffle=4,
                  gt_unshuffle=4, n_feats=64, n_encoder_res=5),
        dirformer=dirformer),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    train_cfg=dict(),
    test_cfg=dict(),
    # the networks pad to multiples of 8 themselves
    data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.],
                           std=[255., 255., 255.]))

crop_size = 256
train_pipeline = [
    dict(type='LoadImageFromFile', key='img', color_type='color',
         channel_order='rgb', imdecode_backend='cv2'),
    dict(type='LoadImageFromFile', key='gt', color_type='color',
         channel_order='rgb', imdecode_backend='cv2'),
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
max_iters = 300_000
train_cfg = dict(max_iters=max_iters, val_interval=20_000)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.))
custom_hooks = [
    dict(type='EMAHook', momentum=0.001),
    dict(type='BenchmarkTableHook'),
    dict(type='BasicVisualizationHook', interval=1, on_val=False),
]
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False,
                       T_max=max_iters, eta_min=1e-6)
