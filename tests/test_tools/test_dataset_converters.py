"""tools/dataset_converters: synthetic pairs from real photos, and layout
conversion checked by reading the result back with the dataset presets."""
import json
import os
import os.path as osp
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.helpers import load_tool

msp = load_tool('tools/dataset_converters/make_synthetic_pairs.py')
cvt = load_tool('tools/dataset_converters/convert_layout.py')


def _read(path):
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert img is not None, path
    return img[..., ::-1]


def _psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64))**2)
    return 10 * np.log10(255.0**2 / mse)


@pytest.fixture(scope='module')
def clean_dir(tmp_path_factory, real_photos, save_rgb):
    """Three real photos (small crops) as PNGs in a folder named 'clean'."""
    root = tmp_path_factory.mktemp('photos') / 'clean'
    for i, img in enumerate(real_photos[:3]):
        save_rgb(root / f'photo{i}.png', img)
    return root


def _make(src, dst, name, params, seed=0):
    argv = ['--src', str(src), '--dst', str(dst), '--degradation', name,
            '--params', json.dumps(params), '--seed', str(seed)]
    return msp.main(argv)


@pytest.fixture(scope='module')
def noisy(tmp_path_factory, clean_dir, registered):
    dst = tmp_path_factory.mktemp('noisy') / 's25'
    assert _make(clean_dir, dst, 'AddGaussianNoise', {'sigma': 25}) == 3
    return dst


def test_noise_pairs_read_back(noisy, clean_dir):
    from mmdiffir.datasets import PairedImageDataset
    ds = PairedImageDataset(data_root=str(noisy))
    assert [d['key'] for d in ds] == ['photo0', 'photo1', 'photo2']
    for d in ds:
        clean = _read(clean_dir / f"{d['key']}.png")
        assert np.array_equal(_read(d['gt_path']), clean)
        noisy_img = _read(d['img_path'])
        # sigma 25 gives 20.2 dB before clipping; clipping removes a little.
        assert 19.8 < _psnr(noisy_img, clean) < 21.5
    meta = json.loads((noisy / 'degradation.json').read_text())
    assert meta['per_image']['photo0']['sigma'] == 25


def test_same_as_on_the_fly_degradation(noisy, clean_dir):
    """The written input is what a config degrading the folder on the fly
    with the same seed produces (same key), up to uint8 rounding."""
    from mmdiffir.datasets import CleanImageDataset
    ds = CleanImageDataset(
        data_root=str(clean_dir.parent), data_prefix=dict(gt='clean'),
        pipeline=[
            dict(type='LoadImageFromFile', key='gt', color_type='color',
                 channel_order='rgb', imdecode_backend='cv2'),
            dict(type='AddGaussianNoise', sigma=25, seed=0)
        ])
    for i in range(len(ds)):
        item = ds[i]
        written = _read(noisy / 'input' / f"{item['key'].split('/')[1]}.png")
        assert np.abs(written - item['img']).max() <= 0.5 + 1e-3


def test_same_seed_same_files(tmp_path, noisy, clean_dir):
    _make(clean_dir, tmp_path / 'again', 'AddGaussianNoise', {'sigma': 25})
    _make(clean_dir, tmp_path / 'seed1', 'AddGaussianNoise', {'sigma': 25},
          seed=1)
    for side in ('input', 'target'):
        for f in sorted(os.listdir(noisy / side)):
            a = (noisy / side / f).read_bytes()
            assert a == (tmp_path / 'again' / side / f).read_bytes()
            other = (tmp_path / 'seed1' / side / f).read_bytes()
            assert (a == other) == (side == 'target')


def test_make_pairs_refuses_overwrite_and_names_bad_files(
        tmp_path, noisy, clean_dir):
    before = (noisy / 'input' / 'photo0.png').read_bytes()
    with pytest.raises(FileExistsError, match='photo0.png'):
        _make(clean_dir, noisy, 'AddGaussianNoise', {'sigma': 50})
    assert (noisy / 'input' / 'photo0.png').read_bytes() == before
    bad = tmp_path / 'bad'
    shutil.copytree(clean_dir, bad)
    (bad / 'broken.png').write_bytes(b'not a png')
    with pytest.raises(ValueError, match='broken.png'):
        _make(bad, tmp_path / 'out', 'AddGaussianNoise', {'sigma': 5})
    with pytest.raises(ValueError, match='--seed'):
        _make(clean_dir, tmp_path / 'o2', 'AddGaussianNoise', {'seed': 3})
    with pytest.raises(ValueError, match='Haze'):  # lists the choices
        _make(clean_dir, tmp_path / 'o3', 'NoSuchBlur', {})


def _realpaths_pair(ds, n):
    """Every item pairs the input and GT made from the same photo."""
    assert len(ds) == n
    for d in ds:
        src_in = Path(os.path.realpath(d['img_path']))
        src_gt = Path(os.path.realpath(d['gt_path']))
        assert src_in.parent.name == 'input' and src_gt.parent.name == 'target'
        assert src_in.stem.split('_')[0] == src_gt.stem


@pytest.mark.parametrize('degradation,params,preset,cls,check', [
    ('RainStreaks', {'density': 0.01}, 'rain100', 'Rain100Dataset',
     lambda x, y: (x >= y).all() and (x > y).any()),  # screen blend
    ('LowLight', {}, 'lol', 'LOLDataset', lambda x, y: x.mean() < y.mean()),
    ('JPEGCompression', {'quality': 10}, 'snow100k', 'Snow100KDataset',
     lambda x, y: 20 < _psnr(x, y) < 40),
])
def test_restormer_style_to_preset(tmp_path, clean_dir, degradation, params,
                                   preset, cls, check):
    import mmdiffir.datasets as D
    src = tmp_path / 'restormer'
    _make(clean_dir, src, degradation, params)
    counts = cvt.main(['--layout', 'restormer-style', '--preset', preset,
                       '--src', str(src), '--dst', str(tmp_path / 'data')])
    sub_in, sub_gt = cvt.PRESETS[preset]
    assert counts == {sub_gt: 3, sub_in: 3, 'skipped': 0}
    ds = getattr(D, cls)(data_root=str(tmp_path / 'data'))
    _realpaths_pair(ds, 3)
    for d in ds:
        assert check(_read(d['img_path']), _read(d['gt_path']))


def test_promptir_sots_to_preset(tmp_path, clean_dir, registered):
    """PromptIR's dehaze test set: input/0001_0.8_0.2.* with target/0001.*;
    several hazy images share one GT."""
    made = tmp_path / 'made'
    _make(clean_dir, made, 'Haze', {'beta': 1.5})
    src = tmp_path / 'dehaze'
    (src / 'input').mkdir(parents=True)
    (src / 'target').mkdir()
    for i in range(3):
        shutil.copy(made / 'target' / f'photo{i}.png',
                    src / 'target' / f'000{i}.png')
        for suffix in ('0.8_0.2', '0.9_0.1'):
            shutil.copy(made / 'input' / f'photo{i}.png',
                        src / 'input' / f'000{i}_{suffix}.png')
    cvt.main(['--layout', 'restormer-style', '--preset', 'sots', '--src',
              str(src), '--dst', str(tmp_path / 'SOTS'), '--copy'])
    assert not osp.islink(tmp_path / 'SOTS' / 'gt' / '0000.png')
    from mmdiffir.datasets import SOTSDataset
    ds = SOTSDataset(data_root=str(tmp_path / 'SOTS'))
    assert len(ds) == 6
    for d in ds:
        i = int(Path(d['gt_path']).stem)  # 000i <- photo i
        assert Path(d['img_path']).stem.startswith(f'000{i}_')
        assert Path(d['img_path']).read_bytes() == (
            made / 'input' / f'photo{i}.png').read_bytes()
        # Haze lifts the dark end of the image towards the airlight.
        assert np.percentile(_read(d['img_path']), 5) > np.percentile(
            _read(d['gt_path']), 5)


def _touch_images(folder, names, img):
    folder.mkdir(parents=True, exist_ok=True)
    for n in names:
        cv2.imwrite(str(folder / n), img)


def test_prenet_rain100_layouts(tmp_path):
    from mmdiffir.datasets import Rain100Dataset
    img = np.zeros((8, 8, 3), np.uint8)
    test = tmp_path / 'Rain100L'  # test set: rainy/ + GT in the root
    _touch_images(test / 'rainy', ['rain-001.png', 'rain-002.png'], img)
    _touch_images(test, ['norain-001.png', 'norain-002.png'], img)
    (test / 'readme.txt').write_text('not an image')
    train = tmp_path / 'RainTrainH'  # training set: all in one folder,
    _touch_images(train, ['rain-1.png', 'norain-1.png', 'norain-2.png'], img)
    counts = cvt.main(['--layout', 'prenet-rain100', '--src', str(test),
                       '--dst', str(tmp_path / 'out_test')])
    assert counts == {'norain': 2, 'rainy': 2, 'skipped': 0}
    # ... where PReNet removed some inputs: their GT is skipped, reported.
    counts = cvt.main(['--layout', 'prenet-rain100', '--src', str(train),
                       '--dst', str(tmp_path / 'out_train')])
    assert counts == {'norain': 1, 'rainy': 1, 'skipped': 1}
    for out, keys in (('out_test', ['001', '002']), ('out_train', ['1'])):
        ds = Rain100Dataset(data_root=str(tmp_path / out))
        assert [d['key'] for d in ds] == keys
        for d in ds:
            assert osp.basename(os.path.realpath(d['gt_path'])) == (
                'no' + osp.basename(os.path.realpath(d['img_path'])))


def test_selfexsr_sr_layout(tmp_path, shared_data, real_photos):
    src = shared_data / 'sr' / 'Set5' if shared_data else None
    if src is None or not src.is_dir():  # same naming, made here
        src = tmp_path / 'Set5'
        (src / 'image_SRF_4').mkdir(parents=True)
        for i, hr in enumerate(real_photos[:3]):
            lr = cv2.resize(hr, (hr.shape[1] // 4, hr.shape[0] // 4),
                            interpolation=cv2.INTER_CUBIC)
            cv2.imwrite(str(src / 'image_SRF_4' / f'img_00{i}_SRF_4_HR.png'),
                        hr)
            cv2.imwrite(str(src / 'image_SRF_4' / f'img_00{i}_SRF_4_LR.png'),
                        lr)
    counts = cvt.main(['--layout', 'selfexsr-sr', '--src', str(src), '--dst',
                       str(tmp_path / 'pairs')])
    n = len(os.listdir(src / 'image_SRF_4')) // 2
    assert counts['X4/HR'] == counts['X4/LR'] == n and counts['skipped'] == 0
    from mmdiffir.datasets import PairedImageDataset
    ds = PairedImageDataset(data_root=str(tmp_path / 'pairs' / 'X4'),
                            data_prefix=dict(img='LR', gt='HR'))
    assert len(ds) == n
    for d in ds:
        lr, hr = _read(d['img_path']), _read(d['gt_path'])
        assert (lr.shape[0] * 4, lr.shape[1] * 4) == hr.shape[:2]


def test_convert_refuses_overwrite_and_dry_run(tmp_path, noisy):
    dst = tmp_path / 'Rain100L'
    args = ['--layout', 'restormer-style', '--preset', 'rain100', '--src',
            str(noisy), '--dst', str(dst)]
    counts = cvt.main(args + ['--dry-run'])
    assert counts == {'norain': 3, 'rainy': 3, 'skipped': 0}
    assert not dst.exists()
    # One clashing file: refused before anything is written.
    (dst / 'norain').mkdir(parents=True)
    (dst / 'norain' / 'photo1.png').write_bytes(b'mine')
    with pytest.raises(FileExistsError, match=r'norain/photo1\.png'):
        cvt.main(args)
    assert not (dst / 'rainy').exists()
    assert (dst / 'norain' / 'photo1.png').read_bytes() == b'mine'
    with pytest.raises(ValueError, match='--preset'):
        cvt.main(['--layout', 'restormer-style', '--src', str(noisy),
                  '--dst', str(tmp_path / 'x')])


def test_extension_list_matches_datasets():
    from mmdiffir.datasets.paired_image_dataset import IMG_EXTENSIONS
    assert cvt.IMG_EXTENSIONS == IMG_EXTENSIONS
