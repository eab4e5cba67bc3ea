# DiffIR stage 1 for inpainting, the published layout
# (../_base_/backbones/dirformer-52.py). Input: the masked image (holes
# set to grey by mmagic's GetMaskedImage), 256x256 Places2 crops with free-
# form masks from mmagic's LoadMask (irregular masks, e.g. the
# DeepFill/LaMa mask sets under data/inpainting/masks).
# Deviation from the reference: the mask is not fed as a 4th channel (only
# through the grey holes), because the data samples' mask does not reach
# ``inputs`` through PackInputs; the parameter count differs by that one
# channel of the first convs.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/diffir_s1_300k.py',
    '../_base_/datasets/common.py',
    '../_base_/models/diffir-s1_dirformer-52.py',
]

mask_root = 'data/inpainting/masks'


def _pipeline(random_crop):
    return [
        _base_.load_gt,
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
    _base_.shuffled_loader,
    num_workers=8,
    batch_size=8,
    dataset=dict(type='CleanImageDataset', data_root='data/inpainting',
                 data_prefix=dict(gt='places365/train'),
                 recursive=True, pipeline=_pipeline(True)))
test_dataloader = [dict(
    _base_.ordered_loader,
    dataset=dict(type='CleanImageDataset', data_root='data/inpainting',
                 data_prefix=dict(gt='places365/val'),
                 pipeline=_pipeline(False)))]
test_evaluator = [[
    dict(type='PSNR', prefix='Places'),
    dict(type='SSIM', prefix='Places'),
]]
val_dataloader = test_dataloader
val_evaluator = test_evaluator
