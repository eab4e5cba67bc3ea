"""CleanImageDataset (folders of clean photos) and EmbeddedPhotoDataset
(scikit-image's bundled photos)."""
import os.path as osp

import numpy as np
import pytest

from mmdiffir.datasets import (CleanImageDataset, EmbeddedPhotoDataset,
                               skimage_data_dir)
from mmdiffir.datasets.clean_image_dataset import SKIMAGE_TEST, SKIMAGE_TRAIN


@pytest.fixture
def photo_root(tmp_path, save_rgb, real_photos):
    """CBSD68-like and Kodak-like folders of real crops (+ a non-image)."""
    a, b, c = real_photos[:3]
    save_rgb(tmp_path / 'CBSD68' / '102061.png', a[:40, :48])
    save_rgb(tmp_path / 'CBSD68' / '101085.png', b[:40, :48])
    save_rgb(tmp_path / 'CBSD68' / 'nested' / '3096.png', c[:40, :48])
    (tmp_path / 'CBSD68' / 'readme.txt').write_text('x')
    save_rgb(tmp_path / 'Kodak24' / 'kodim01.png', c[:32, :32])
    save_rgb(tmp_path / 'Kodak24' / 'kodim02.bmp', a[:32, :32])
    return tmp_path


def test_one_folder_sorted_with_folder_keys(photo_root):
    ds = CleanImageDataset(data_root=str(photo_root),
                           data_prefix=dict(gt='CBSD68'))
    assert [d['key'] for d in ds] == ['CBSD68/101085', 'CBSD68/102061']
    assert [d['gt_path'] for d in ds] == [
        str(photo_root / 'CBSD68' / '101085.png'),
        str(photo_root / 'CBSD68' / '102061.png')
    ]
    assert 'img_path' not in ds[0]


def test_several_folders_and_recursion(photo_root):
    ds = CleanImageDataset(data_root=str(photo_root),
                           data_prefix=dict(gt=['Kodak24', 'CBSD68']),
                           recursive=True)
    assert [d['key'] for d in ds] == [
        'Kodak24/kodim01', 'Kodak24/kodim02', 'CBSD68/101085',
        'CBSD68/102061', 'CBSD68/nested/3096'
    ]
    assert all(osp.isfile(d['gt_path']) for d in ds)


def test_names_select_and_order(photo_root):
    ds = CleanImageDataset(data_root=str(photo_root),
                           data_prefix=dict(gt=['CBSD68', 'Kodak24']),
                           names=['kodim02', '102061'])
    assert [osp.basename(d['gt_path']) for d in ds] == [
        'kodim02.bmp', '102061.png'
    ]
    # The key does not depend on what else is listed (seeded degradations).
    full = CleanImageDataset(data_root=str(photo_root),
                             data_prefix=dict(gt='CBSD68'))
    assert ds[1]['key'] == full[1]['key'] == 'CBSD68/102061'


def test_missing_name_is_named(photo_root):
    with pytest.raises(FileNotFoundError, match='kodim99'):
        CleanImageDataset(data_root=str(photo_root),
                          data_prefix=dict(gt='Kodak24'),
                          names=['kodim01', 'kodim99'])


def test_name_in_two_folders_is_ambiguous(photo_root, save_rgb, real_photos):
    # Regression: the name used to pick whichever folder came last.
    save_rgb(photo_root / 'Kodak24' / '101085.png', real_photos[0][:8, :8])
    with pytest.raises(ValueError, match='several') as err:
        CleanImageDataset(data_root=str(photo_root),
                          data_prefix=dict(gt=['CBSD68', 'Kodak24']),
                          names=['101085'])
    assert str(photo_root / 'CBSD68' / '101085.png') in str(err.value)
    assert str(photo_root / 'Kodak24' / '101085.png') in str(err.value)


def test_missing_data_root_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='no_such_root'):
        CleanImageDataset(data_root=str(tmp_path / 'no_such_root'),
                          data_prefix=dict(gt='CBSD68'))


def test_missing_folder_is_named(photo_root):
    with pytest.raises(FileNotFoundError, match='McMaster'):
        CleanImageDataset(data_root=str(photo_root),
                          data_prefix=dict(gt=['CBSD68', 'McMaster']))


def test_empty_folder_is_named(tmp_path):
    (tmp_path / 'Set12').mkdir()
    (tmp_path / 'Set12' / 'list.txt').write_text('01.png')
    with pytest.raises(FileNotFoundError, match='no images') as err:
        CleanImageDataset(data_root=str(tmp_path),
                          data_prefix=dict(gt='Set12'))
    assert str(tmp_path / 'Set12') in str(err.value)


def test_embedded_splits_are_real_and_disjoint():
    train = EmbeddedPhotoDataset(split='train')
    test = EmbeddedPhotoDataset(split='test')
    assert len(train) == len(SKIMAGE_TRAIN) and len(test) == len(SKIMAGE_TEST)
    train_files = {d['gt_path'] for d in train}
    test_files = {d['gt_path'] for d in test}
    assert not train_files & test_files
    for path in train_files | test_files:
        assert osp.dirname(path) == skimage_data_dir() and osp.isfile(path)
    assert [osp.splitext(osp.basename(d['gt_path']))[0]
            for d in test] == list(SKIMAGE_TEST)


def test_embedded_bad_split_and_names():
    with pytest.raises(ValueError, match='split'):
        EmbeddedPhotoDataset(split='val')
    ds = EmbeddedPhotoDataset(names=['coffee'])
    assert [osp.basename(d['gt_path']) for d in ds] == ['coffee.png']
    with pytest.raises(FileNotFoundError, match='lena'):
        EmbeddedPhotoDataset(names=['lena'])


def test_embedded_pipeline_makes_reproducible_pairs(registered):
    """Grey 'camera' loads as 3 equal channels; the seeded noise depends on
    the image key only, so two dataset instances give identical pairs."""
    from mmdiffir.registry import DATASETS
    cfg = dict(
        type='EmbeddedPhotoDataset', names=['camera', 'chelsea'],
        pipeline=[
            dict(type='LoadImageFromFile', key='gt', color_type='color',
                 channel_order='rgb'),
            dict(type='AddGaussianNoise', sigma=15, seed=0),
            dict(type='PackInputs'),
        ])
    first, second = DATASETS.build(cfg), DATASETS.build(cfg)
    cam = first[0]
    gt = cam['data_samples'].gt_img.numpy().astype(np.float64)
    noisy = cam['inputs'].numpy().astype(np.float64)
    assert gt.shape[0] == 3 and noisy.shape == gt.shape
    assert (gt[0] == gt[1]).all() and (gt[1] == gt[2]).all()
    residual = noisy - gt
    assert 12 < residual.std() < 16  # sigma 15, clipped a little
    assert cam['data_samples'].metainfo['img_channel_order'] == 'rgb'
    np.testing.assert_array_equal(cam['inputs'].numpy(),
                                  second[0]['inputs'].numpy())
    # Another photo gets another noise field.
    other = first[1]['inputs'].numpy().astype(np.float64) - \
        first[1]['data_samples'].gt_img.numpy()
    h, w = min(residual.shape[1], other.shape[1]), min(residual.shape[2],
                                                        other.shape[2])
    assert not np.allclose(residual[:, :h, :w], other[:, :h, :w])
