"""PairedImageDataset and its presets on tiny real-photo folders laid out as
the published sets are (Rain100, RESIDE SOTS, LOL v1/v2, GoPro, Snow100K,
RealSnow, REVIDE).

Every input written is a slightly perturbed copy of its own clean crop, so a
pair is checked by content (the GT found must be the crop the input came
from), not only by name.
"""
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmdiffir.datasets import (GoProDataset, LOLDataset, PairedImageDataset,
                               Rain100Dataset, RealSnowDataset, REVIDEDataset,
                               Snow100KDataset, SOTSDataset)

CROP = 32


@pytest.fixture(scope='module')
def crops(real_photos):
    """12 distinct 32x32 RGB crops of the real photos."""
    out = []
    offsets = [(0, 0), (0, 64), (48, 32), (60, 90)]
    for photo in real_photos:
        for y, x in offsets:
            out.append(photo[y:y + CROP, x:x + CROP])
            if len(out) == 12:
                return out
    assert len(out) >= 8, 'need more photo crops'
    return out


def perturb(rgb, i):
    """A degraded copy of ``rgb``, still far closer to it than to any other
    crop."""
    noise = np.random.default_rng(i).normal(0, 4, rgb.shape)
    return np.clip(rgb + noise, 0, 255).round().astype(np.uint8)


def write_pairs(root, save_rgb, crops, pairs):
    """pairs: list of (input relpath, gt relpath); several inputs may name
    the same GT. Returns {input relpath: index of its clean crop}."""
    gt_index = {}
    truth = {}
    for img_rel, gt_rel in pairs:
        if gt_rel not in gt_index:
            gt_index[gt_rel] = len(gt_index)
            save_rgb(osp.join(root, gt_rel), crops[gt_index[gt_rel]])
        idx = gt_index[gt_rel]
        save_rgb(osp.join(root, img_rel), perturb(crops[idx], len(truth)))
        truth[img_rel] = idx
    return truth


def read(path):
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    assert img is not None, path
    return img.astype(np.float64)


def assert_paired_by_content(dataset):
    """Each item's GT file is the clean image its input was made from: the
    closest of all the GT files of the set."""
    gts = sorted({d['gt_path'] for d in dataset})
    gt_imgs = {p: read(p) for p in gts}
    for item in dataset:
        img = read(item['img_path'])
        mse = {p: np.mean((img - g)**2) for p, g in gt_imgs.items()}
        assert min(mse, key=mse.get) == item['gt_path'], item
        assert mse[item['gt_path']] < 40  # sigma-4 noise (+ JPEG for .jpg)


def rel_pairs(dataset, root):
    return [(osp.relpath(d['img_path'], root), osp.relpath(d['gt_path'], root))
            for d in dataset]


# ---------------------------------------------------------------- layouts --
@pytest.mark.parametrize('img_fmt,gt_fmt', [
    ('rainy/rain-{:03d}.png', 'norain/norain-{:03d}.png'),  # Rain100L/H
    ('rainy/{:03d}.png', 'norain/{:03d}.png'),  # prefixes are optional
])
def test_rain100_pairs_by_number(tmp_path, save_rgb, crops, img_fmt, gt_fmt):
    pairs = [(img_fmt.format(i), gt_fmt.format(i)) for i in (3, 1, 12)]
    write_pairs(tmp_path, save_rgb, crops, pairs)
    ds = Rain100Dataset(data_root=str(tmp_path))
    assert len(ds) == 3
    assert [d['key'] for d in ds] == ['001', '003', '012']
    assert sorted(rel_pairs(ds, tmp_path)) == sorted(pairs)
    assert ds.metainfo['dataset_type'] == 'Rain100'
    assert_paired_by_content(ds)


def test_sots_many_hazy_per_gt(tmp_path, save_rgb, crops):
    pairs = [('hazy/0001_0.8_0.2.jpg', 'gt/0001.png'),
             ('hazy/0001_0.9_0.16.jpg', 'gt/0001.png'),
             ('hazy/0002_1_0.08.jpg', 'gt/0002.png'),
             ('hazy/1400_1.png', 'gt/1400.png'),  # SOTS indoor naming
             ('hazy/1400_10.png', 'gt/1400.png')]
    write_pairs(tmp_path, save_rgb, crops, pairs)
    ds = SOTSDataset(data_root=str(tmp_path))
    assert sorted(rel_pairs(ds, tmp_path)) == sorted(pairs)
    # Keys stay unique although several inputs share a GT.
    keys = [d['key'] for d in ds]
    assert len(set(keys)) == len(keys) == 5
    assert '0001_0.8_0.2' in keys and '1400_10' in keys
    assert_paired_by_content(ds)


def test_sots_many_to_one_off_is_ambiguous(tmp_path, save_rgb, crops):
    write_pairs(tmp_path, save_rgb, crops,
                [('hazy/0001_0.8_0.2.jpg', 'gt/0001.png'),
                 ('hazy/0001_0.9_0.16.jpg', 'gt/0001.png')])
    with pytest.raises(ValueError, match='ambiguous') as err:
        SOTSDataset(data_root=str(tmp_path), many_to_one=False)
    assert '0001_0.8_0.2.jpg' in str(err.value)
    assert '0001_0.9_0.16.jpg' in str(err.value)


def test_lol_v1_and_v2(tmp_path, save_rgb, crops):
    v1 = tmp_path / 'eval15'
    pairs1 = [('low/1.png', 'high/1.png'), ('low/22.png', 'high/22.png')]
    write_pairs(v1, save_rgb, crops, pairs1)
    ds1 = LOLDataset(data_root=str(v1))
    assert sorted(rel_pairs(ds1, v1)) == sorted(pairs1)
    assert_paired_by_content(ds1)

    v2 = tmp_path / 'Real_captured' / 'Test'
    pairs2 = [('Low/low00690.png', 'Normal/normal00690.png'),
              ('Low/low00748.png', 'Normal/normal00748.png'),
              ('Low/low00701.png', 'Normal/normal00701.png')]
    write_pairs(v2, save_rgb, crops, pairs2)
    ds2 = LOLDataset(data_root=str(v2),
                     data_prefix=dict(img='Low', gt='Normal'))
    assert [d['key'] for d in ds2] == ['00690', '00701', '00748']
    assert sorted(rel_pairs(ds2, v2)) == sorted(pairs2)
    assert_paired_by_content(ds2)


GOPRO_PAIRS = [(f'{seq}/blur/{f}.png', f'{seq}/sharp/{f}.png')
               for seq in ('GOPR0384_11_00', 'GOPR0410_11_00')
               for f in ('000001', '000002')]


def test_gopro_pairs_within_each_sequence(tmp_path, save_rgb, crops):
    # Frame names repeat across sequences: the sequence is part of the key.
    write_pairs(tmp_path, save_rgb, crops, GOPRO_PAIRS)
    ds = GoProDataset(data_root=str(tmp_path))
    assert [d['key'] for d in ds] == [
        'GOPR0384_11_00/000001', 'GOPR0384_11_00/000002',
        'GOPR0410_11_00/000001', 'GOPR0410_11_00/000002'
    ]
    assert sorted(rel_pairs(ds, tmp_path)) == sorted(GOPRO_PAIRS)
    assert_paired_by_content(ds)


@pytest.mark.parametrize('absolute', [True, False])
def test_gopro_wildcard_prefix_without_data_root(tmp_path, save_rgb, crops,
                                                 monkeypatch, absolute):
    # Regression: an absolute (or cwd-relative) wildcard prefix with no
    # data_root used to key every sequence alike, dropping all but one.
    write_pairs(tmp_path / 'GoPro' / 'test', save_rgb, crops, GOPRO_PAIRS)
    monkeypatch.chdir(tmp_path)
    base = str(tmp_path / 'GoPro' / 'test') if absolute else 'GoPro/test'
    ds = GoProDataset(data_prefix=dict(img=f'{base}/*/blur',
                                       gt=f'{base}/*/sharp'))
    assert len(ds) == 4
    assert {d['key'] for d in ds} == {
        'GOPR0384_11_00/000001', 'GOPR0384_11_00/000002',
        'GOPR0410_11_00/000001', 'GOPR0410_11_00/000002'
    }
    assert_paired_by_content(ds)


def test_snow100k(tmp_path, save_rgb, crops):
    pairs = [('synthetic/beautiful_smile_00003.jpg',
              'gt/beautiful_smile_00003.jpg'),
             ('synthetic/city_read_13552.jpg', 'gt/city_read_13552.jpg')]
    write_pairs(tmp_path, save_rgb, crops, pairs)
    ds = Snow100KDataset(data_root=str(tmp_path))
    assert sorted(rel_pairs(ds, tmp_path)) == sorted(pairs)
    assert ds.metainfo['task_name'] == 'desnow'
    assert_paired_by_content(ds)


def test_realsnow(tmp_path, save_rgb, crops):
    pairs = [(f'video2imgs_IN_testing_re/{n}.png',
              f'video2imgs_GT_testing_re/{n}.png')
             for n in ('video01_0001', 'video01_0002', 'video07_0100')]
    write_pairs(tmp_path, save_rgb, crops, pairs)
    ds = RealSnowDataset(data_root=str(tmp_path))
    assert sorted(rel_pairs(ds, tmp_path)) == sorted(pairs)
    assert ds.metainfo['task_name'] == 'desnow'
    assert_paired_by_content(ds)
    os.remove(tmp_path / pairs[1][1])  # a snowy frame without its GT
    with pytest.raises(ValueError, match='video01_0002'):
        RealSnowDataset(data_root=str(tmp_path))


REVIDE_PAIRS = [(f'hazy/{v}/{f}.JPG', f'gt/{v}/{f}.JPG')
                for v in ('W002', 'W007') for f in ('00001', '00002')]


def test_revide_pairs_within_each_video(tmp_path, save_rgb, crops):
    # Frame names repeat across videos: the video is part of the key.
    write_pairs(tmp_path / 'Test', save_rgb, crops, REVIDE_PAIRS)
    ds = REVIDEDataset(data_root=str(tmp_path / 'Test'))
    assert [d['key'] for d in ds] == ['W002/00001', 'W002/00002',
                                      'W007/00001', 'W007/00002']
    assert sorted(rel_pairs(ds, tmp_path / 'Test')) == sorted(REVIDE_PAIRS)
    assert ds.metainfo['task_name'] == 'dehaze'
    assert_paired_by_content(ds)
    # WGWS-Net's flat re-export
    flat = [('hazy_re/W002_00001.JPG', 'gt_re/W002_00001.JPG')]
    write_pairs(tmp_path / 'flat', save_rgb, crops, flat)
    ds = REVIDEDataset(data_root=str(tmp_path / 'flat'),
                       data_prefix=dict(img='hazy_re', gt='gt_re'))
    assert rel_pairs(ds, tmp_path / 'flat') == flat
    assert_paired_by_content(ds)


def test_custom_key_regex_pairs_by_key_not_by_order(tmp_path, save_rgb,
                                                    crops):
    # Sorted by name the inputs run 2, 1 while the GTs run 1, 2: pairing by
    # position would swap them.
    pairs = [('input/x_2.png', 'target/2_clean.png'),
             ('input/y_1.png', 'target/1_clean.png')]
    write_pairs(tmp_path, save_rgb, crops, pairs)
    ds = PairedImageDataset(
        data_root=str(tmp_path),
        key_regex=dict(img=r'[a-z]_(\d)', gt=r'(\d)_clean'))
    assert sorted(rel_pairs(ds, tmp_path)) == sorted(pairs)
    assert_paired_by_content(ds)


def test_recursive_and_non_images_ignored(tmp_path, save_rgb, crops):
    pairs = [('input/a.png', 'target/a.png'),
             ('input/sub/b.png', 'target/sub/b.png')]
    write_pairs(tmp_path, save_rgb, crops, pairs)
    for side in ('input', 'target'):
        (tmp_path / side / 'README.txt').write_text('not an image')
        (tmp_path / side / 'Thumbs.db').write_bytes(b'\0')
    flat = PairedImageDataset(data_root=str(tmp_path))
    assert rel_pairs(flat, tmp_path) == [pairs[0]]
    deep = PairedImageDataset(data_root=str(tmp_path), recursive=True)
    assert sorted(rel_pairs(deep, tmp_path)) == sorted(pairs)


# ----------------------------------------------------------------- errors --
# a Rain100 pair plus one stray file -> the error and the names it gives
# (and, where the pair is fine, must not give)
STRAY = {
    'input_without_gt': ('rainy/rain-004.png', 'no GT', ['rain-004.png'],
                         ['rain-001.png']),
    'gt_without_input': ('norain/norain-005.png', 'no input',
                         ['norain-005.png'], []),
    'two_gt_files_with_one_key': ('norain/001.png', 'ambiguous',
                                  ['norain-001.png',
                                   osp.join('norain', '001.png')], []),
}


@pytest.mark.parametrize('case', sorted(STRAY))
def test_unpaired_or_ambiguous_file_is_named(case, tmp_path, save_rgb,
                                             crops):
    stray, error, named, not_named = STRAY[case]
    write_pairs(tmp_path, save_rgb, crops,
                [('rainy/rain-001.png', 'norain/norain-001.png')])
    save_rgb(tmp_path / stray, crops[5])
    with pytest.raises(ValueError, match=error) as err:
        Rain100Dataset(data_root=str(tmp_path))
    for name in named:
        assert name in str(err.value)
    for name in not_named:
        assert name not in str(err.value)


def test_gopro_sequence_without_sharp_is_named(tmp_path, save_rgb, crops):
    write_pairs(tmp_path, save_rgb, crops, GOPRO_PAIRS[:2])
    save_rgb(tmp_path / 'GOPR0871_11_01' / 'blur' / '000001.png', crops[6])
    with pytest.raises(ValueError, match='no GT') as err:
        GoProDataset(data_root=str(tmp_path))
    assert osp.join('GOPR0871_11_01', 'blur', '000001.png') in str(err.value)


def test_missing_data_root_is_named(tmp_path):
    missing = tmp_path / 'Rain100L_nowhere'
    with pytest.raises(FileNotFoundError, match='Rain100L_nowhere'):
        Rain100Dataset(data_root=str(missing))


def test_missing_side_folder_is_named(tmp_path, save_rgb, crops):
    save_rgb(tmp_path / 'rainy' / 'rain-001.png', crops[0])
    with pytest.raises(FileNotFoundError) as err:
        Rain100Dataset(data_root=str(tmp_path))
    assert str(tmp_path / 'norain') in str(err.value)


def test_empty_folder_is_named(tmp_path, save_rgb, crops):
    save_rgb(tmp_path / 'synthetic' / 'a.jpg', crops[0])
    os.makedirs(tmp_path / 'gt')
    (tmp_path / 'gt' / 'notes.txt').write_text('no images here')
    with pytest.raises(FileNotFoundError, match='no .*gt images') as err:
        Snow100KDataset(data_root=str(tmp_path))
    assert str(tmp_path / 'gt') in str(err.value)


def test_wildcard_matching_no_folder_is_named(tmp_path):
    (tmp_path / 'GOPR0384_11_00' / 'blurry').mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match='no folder matches') as err:
        GoProDataset(data_root=str(tmp_path))
    assert str(tmp_path / '*' / 'blur') in str(err.value)


def test_name_not_matching_key_regex_is_named(tmp_path, save_rgb, crops):
    write_pairs(tmp_path, save_rgb, crops,
                [('hazy/0001_0.8_0.2.jpg', 'gt/0001.png')])
    save_rgb(tmp_path / 'hazy' / 'hazy0002.png', crops[2])  # no '_'
    with pytest.raises(ValueError, match='key_regex') as err:
        SOTSDataset(data_root=str(tmp_path))
    assert 'hazy0002.png' in str(err.value)
    assert '0001_0.8_0.2' not in str(err.value)


# --------------------------------------------------------------- pipeline --
def test_full_pipeline_through_registry(tmp_path, save_rgb, crops,
                                        registered):
    from mmdiffir.registry import DATASETS
    pairs = [('rainy/rain-001.png', 'norain/norain-001.png'),
             ('rainy/rain-002.png', 'norain/norain-002.png')]
    write_pairs(tmp_path, save_rgb, crops, pairs)
    ds = DATASETS.build(
        dict(type='Rain100Dataset', data_root=str(tmp_path),
             pipeline=[
                 dict(type='LoadImageFromFile', key='img',
                      channel_order='rgb'),
                 dict(type='LoadImageFromFile', key='gt',
                      channel_order='rgb'),
                 dict(type='PackInputs'),
             ]))
    assert type(ds) is Rain100Dataset and len(ds) == 2
    item = ds[1]
    inputs, sample = item['inputs'], item['data_samples']
    rainy = read(str(tmp_path / pairs[1][0]))[..., ::-1]  # RGB
    clean = read(str(tmp_path / pairs[1][1]))[..., ::-1]
    assert tuple(inputs.shape) == (3, CROP, CROP)
    np.testing.assert_array_equal(inputs.numpy().transpose(1, 2, 0), rainy)
    np.testing.assert_array_equal(
        sample.gt_img.numpy().transpose(1, 2, 0), clean)
    assert sample.metainfo['sample_idx'] == 1
    assert sample.metainfo['img_path'] == str(tmp_path / pairs[1][0])
    assert sample.metainfo['gt_channel_order'] == 'rgb'
