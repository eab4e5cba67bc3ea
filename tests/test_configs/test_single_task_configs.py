"""EEDTP's single-task experiments (METHODS.md §1.7) as configs: GEF and its
plain baseline for Rain100L -> Rain100H, LOL-v1 -> LOL-v2, Snow100K ->
RealSnow and RESIDE -> SOTS + REVIDE. Each pair of arms differs only in the
method; every loader finds its pairs in a tiny tree of real photos laid out
as the published set."""
import copy
import os.path as osp

import pytest
from mmengine.config import Config

from mmdiffir.t_mat import T_MAT
from mmdiffir.registry import DATASETS
from tests.helpers import REPO

# experiment -> (the paper's task name for t_mat, in-distribution test set,
# generalization test set)
EXPERIMENTS = {
    'rain100l': ('rain', 'Rain100', 'Rain100'),
    'lolv1': ('lowlight', 'LOL', 'LOL'),
    'snow100k': ('snow', 'Snow100K', 'RealSnow'),
    'reside': ('haze', 'SOTS', 'REVIDE'),
}


def _configs(key):
    eedtp = Config.fromfile(osp.join(
        REPO, f'configs/eedtp/eedtp-gef_nafnet-w48_8xb2-lr5e-5-500k_{key}.py'))
    plain = Config.fromfile(osp.join(
        REPO, 'configs/baselines/'
        f'plain_nafnet-w48_8xb2-lr5e-5-500k_{key}.py'))
    return eedtp, plain


@pytest.mark.parametrize('key', sorted(EXPERIMENTS))
def test_arms_differ_only_in_the_method(key):
    eedtp, plain = _configs(key)
    task, in_dist, general = EXPERIMENTS[key]
    assert eedtp.model.type == 'EEDTPRestorer' and eedtp.model.stage == 'gef'
    assert eedtp.model.t_mat == T_MAT[task]
    assert 'tmddp' in eedtp.load_from  # fine-tunes the TMDDP checkpoint
    assert any(h.type == 'ImportanceEstimationHook'
               for h in eedtp.custom_hooks)
    assert plain.model.type == 'PlainRestorer'  # BaseEditModel + tiles/flips
    assert plain.model.generator == eedtp.model.generator  # same network
    for k in ('train_dataloader', 'test_dataloader', 'test_evaluator',
              'val_dataloader', 'optim_wrapper', 'param_scheduler',
              'train_cfg'):
        assert plain[k] == eedtp[k], k
    assert [ld.dataset.type for ld in eedtp.test_dataloader] == [
        f'{in_dist}Dataset', f'{general}Dataset']
    # the test sets are the published ones, not the training folders
    roots = [ld.dataset.data_root for ld in eedtp.test_dataloader]
    assert eedtp.train_dataloader.dataset.data_root not in roots


# file pairs of each published layout (relative to its data_root)
LAYOUTS = {
    'data/RainTrainL': [('rainy/rain-1.png', 'norain/norain-1.png')],
    'data/Rain100L': [('rainy/rain-001.png', 'norain/norain-001.png')],
    'data/Rain100H': [('rainy/rain-001.png', 'norain/norain-001.png')],
    'data/LOL/our485': [('low/2.png', 'high/2.png')],
    'data/LOL/eval15': [('low/1.png', 'high/1.png')],
    'data/LOL-v2/Real_captured/Test': [('Low/low00690.png',
                                        'Normal/normal00690.png')],
    'data/Snow100K/train': [('synthetic/beach_00001.jpg',
                             'gt/beach_00001.jpg')],
    'data/Snow100K/test/Snow100K-L': [('synthetic/city_00003.jpg',
                                       'gt/city_00003.jpg')],
    'data/RealSnow': [('video2imgs_IN_testing_re/v01_0001.png',
                       'video2imgs_GT_testing_re/v01_0001.png')],
    'data/ITS': [('hazy/1_1_0.90179.png', 'clear/1.png'),
                 ('hazy/1_2_0.97842.png', 'clear/1.png')],
    'data/SOTS/indoor': [('hazy/1400_1.png', 'gt/1400.png')],
    'data/REVIDE/Test': [('hazy/W002/00001.JPG', 'gt/W002/00001.JPG'),
                         ('hazy/W007/00001.JPG', 'gt/W007/00001.JPG')],
}


@pytest.mark.parametrize('key', sorted(EXPERIMENTS))
def test_every_loader_reads_its_published_layout(key, tmp_path, real_photos,
                                                 save_rgb, registered):
    eedtp, _ = _configs(key)
    loaders = [('train', eedtp.train_dataloader)] + [
        ('test', ld) for ld in eedtp.test_dataloader]
    for split, loader in loaders:
        ds_cfg = copy.deepcopy(loader.dataset)
        pairs = LAYOUTS[ds_cfg.data_root]
        root = tmp_path / ds_cfg.data_root
        for i, (img, gt) in enumerate(pairs):
            photo = real_photos[i % len(real_photos)]
            save_rgb(root / gt, photo)
            save_rgb(root / img, (photo * 0.7).astype('uint8'))
        ds_cfg.data_root = str(root)
        if split == 'train':
            ds_cfg.pipeline = []  # 128 crops need larger photos than these
        ds = DATASETS.build(ds_cfg)
        assert len(ds) == len(pairs), ds_cfg.data_root
        assert sorted(osp.relpath(d['img_path'], root) for d in
                      (ds.get_data_info(j) for j in range(len(ds)))) == \
            sorted(p for p, _ in pairs)
        if split == 'test':  # the test pipeline loads a pair
            sample = ds[0]
            assert sample['inputs'].shape == sample[
                'data_samples'].gt_img.shape
