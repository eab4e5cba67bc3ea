# Published paired test sets in their released layouts (see
# tools/dataset_converters/README.md), one loader + evaluator variable per
# set, named <set>_loader / <set>_metrics. A config composes the ones it
# needs, e.g.
#   _base_ = [..., '../_base_/datasets/paired_test_sets.py']
#   test_dataloader = [_base_.rain100l_loader, _base_.sots_loader]
#   test_evaluator = [_base_.rain100l_metrics, _base_.sots_metrics]
# Y-channel metrics are included for every set (deraining papers report Y).
_base_ = './common.py'

paired_test_pipeline = [_base_.load_img, _base_.load_gt,
                        dict(type='PackInputs')]


def _loader(dataset_type, data_root, **kwargs):
    return dict(_base_.ordered_loader,
                dataset=dict(type=dataset_type, data_root=data_root,
                             pipeline=paired_test_pipeline, **kwargs))


def _metrics(name, crop_border=0):
    return [dict(m, prefix=name + suffix, crop_border=crop_border)
            for suffix, m in _base_.psnr_ssim]


rain100l_loader = _loader('Rain100Dataset', 'data/Rain100L')
rain100l_metrics = _metrics('Rain100L')
rain100h_loader = _loader('Rain100Dataset', 'data/Rain100H')
rain100h_metrics = _metrics('Rain100H')
sots_loader = _loader('SOTSDataset', 'data/SOTS/outdoor')
sots_metrics = _metrics('SOTS')
lol_loader = _loader('LOLDataset', 'data/LOL/eval15')
lol_metrics = _metrics('LOL')
lolv2_loader = _loader('LOLDataset', 'data/LOL-v2/Real_captured/Test',
                       data_prefix=dict(img='Low', gt='Normal'))
lolv2_metrics = _metrics('LOL-v2')
gopro_loader = _loader('GoProDataset', 'data/GoPro/test')
gopro_metrics = _metrics('GoPro')
hide_loader = _loader('PairedImageDataset', 'data/HIDE')
hide_metrics = _metrics('HIDE')
snow100k_loader = _loader('Snow100KDataset', 'data/Snow100K/test/Snow100K-L')
snow100k_metrics = _metrics('Snow100K-L')
sots_indoor_loader = _loader('SOTSDataset', 'data/SOTS/indoor')
sots_indoor_metrics = _metrics('SOTS-indoor')
# real-world generalization sets of EEDTP's single-task experiments
realsnow_loader = _loader('RealSnowDataset', 'data/RealSnow')
realsnow_metrics = _metrics('RealSnow')
revide_loader = _loader('REVIDEDataset', 'data/REVIDE/Test')
revide_metrics = _metrics('REVIDE')
