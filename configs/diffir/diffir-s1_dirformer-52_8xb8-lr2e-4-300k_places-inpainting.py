# DiffIR stage 1 for inpainting, the published layout: DIRformer dim 52,
# blocks [1, 1, 1, 9], heads [1, 2, 4, 8]. Input: the masked image (holes
# set to grey by mmagic's GetMaskedImage), 256x256 Places2 crops with free-
# form masks from mmagic's LoadMask (irregular masks, e.g. the
# DeepFill/LaMa mask sets under data/inpainting/masks).
# Deviation from the reference: the mask is not fed as a 4th channel (only
# through the grey holes), because the data samples' mask does not reach
# ``inputs`` through PackInputs; the parameter count differs by that one
# channel of the first convs.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/iter_cosine.py',
]

dirformer = dict(
    type='DIRformer',
    inp_channels=3,
    out_channels=3,
    dim=52,
    num_blocks=[1, 1, 1, 9],
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
        cpen=dict(type='CPEN', lq_channels=3, gt_channels=3, lq_unshuffle=4,
                  gt_unshuffle=4, n_feats=64, n_encoder_res=5),
        dirformer=dirformer),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    train_cfg=dict(),
    test_cfg=dict(),
    data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.],
                           std=[255., 255., 255.]))

mask_root = 'data/inpainting/masks'


def _pipeline(random_crop):
    return [
        dict(type='LoadImageFromFile', key='gt', color_type='color',
             channel_order='rgb', imdecode_backend='cv2'),
        dict(type='LoadMask', mask_mode='file',
             mask_config=dict(mask_list_file=f'{mask_root}/mask_list.txt',
                              prefix=mask_root, io_backend='local',
                              flag='unchanged', file_client_kwargs=dict())),
        dict(type='Crop', keys=['gt'], crop_size=(256, 256),
             random_crop=random_crop),
        dict(type='GetMaskedImage', img_key='gt', mask_key='mask',
             out_key='img'),
        dict(type='PackInputs'),
    ]


train_dataloader = dict(
    num_workers=8,
    batch_size=8,
    persistent_workers=False,
    sampler=dict(type='KeyedInfiniteSampler', shuffle=True),
    dataset=dict(type='CleanImageDataset', data_root='data/inpainting',
                 data_prefix=dict(gt='places365/train'),
                 recursive=True, pipeline=_pipeline(True)))
test_dataloader = [dict(
    num_workers=2,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CleanImageDataset', data_root='data/inpainting',
                 data_prefix=dict(gt='places365/val'),
                 pipeline=_pipeline(False)))]
test_evaluator = [[
    dict(type='PSNR', prefix='Places'),
    dict(type='SSIM', prefix='Places'),
]]
val_dataloader = test_dataloader
val_evaluator = test_evaluator

max_iters = 300_000
train_cfg = dict(max_iters=max_iters, val_interval=20_000)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=2e-4, betas=(0.9, 0.99), weight_decay=0.))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False,
                       T_max=max_iters, eta_min=1e-6)
