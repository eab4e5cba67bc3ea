"""The Snow degradation on real photos: the Degradation contract (float32
in [0, 255], key_in -> key_out, clean copy kept), seeding per image key,
that snow only brightens and grows with density / flake size, and that bad
parameters are refused by name."""
import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio

from mmdiffir.datasets.transforms import Snow
from mmdiffir.registry import TRANSFORMS


def _psnr(a, b):
    return peak_signal_noise_ratio(np.asarray(a, np.float64),
                                   np.asarray(b, np.float64), data_range=255)


def _apply(t, img, key='photo'):
    return t.transform(dict(gt=img.copy(), key=key))


def test_contract_and_seeding(real_photos):
    img = real_photos[0]
    out = _apply(Snow(seed=1), img)
    assert out['img'].dtype == np.float32 and out['img'].shape == img.shape
    assert 0 <= out['img'].min() and out['img'].max() <= 255
    assert np.array_equal(out['gt'], img)  # the clean copy is untouched
    assert out['degradation'][0]['type'] == 'Snow'
    # a seed fixes the snow per image key; other keys get other snow
    assert np.array_equal(_apply(Snow(seed=1), img)['img'], out['img'])
    assert not np.array_equal(_apply(Snow(seed=1), img, 'other')['img'],
                              out['img'])
    # grey images keep their shape; chaining reads another key
    grey = img[..., 0]
    assert _apply(Snow(seed=0), grey)['img'].shape == grey.shape
    chained = Snow(key_in='img', key_out='img', seed=2).transform(
        dict(out, key='photo'))
    assert (chained['img'] >= out['img'] - 1e-3).all()
    assert TRANSFORMS.get('Snow') is Snow


def test_snow_brightens_and_grows_with_strength(real_photos):
    for i, img in enumerate(real_photos[:3]):
        base = img.astype(np.float32)
        scores = []
        for density, size in ((0.0005, 1.0), (0.002, 2.0), (0.006, 4.0)):
            t = Snow(density=density, flake_size=size, veil=0.0,
                     opacity=1.0, seed=0)
            out = _apply(t, img, f'k{i}')['img']
            # alpha blending towards white never darkens a pixel
            assert (out >= base - 1e-3).all()
            scores.append(_psnr(base, out))
        assert scores[0] > scores[1] > scores[2], scores
        # flakes cover a visible but minority part of the frame
        covered = (out - base > 30).mean()
        assert 0.02 < covered < 0.8, covered


def test_veil_lowers_contrast(real_photos):
    img = real_photos[1]
    out = _apply(Snow(density=0.0, veil=0.3, seed=0), img)['img']
    assert out.std() == pytest.approx(0.7 * img.std(), rel=0.02)


@pytest.mark.parametrize('kwargs, name', [
    (dict(density=(0.1, 0.01)), 'density'), (dict(density=2), 'density'),
    (dict(flake_size=0.1), 'flake_size'), (dict(layers=0), 'layers'),
    (dict(opacity=1.5), 'opacity'), (dict(veil=-0.1), 'veil'),
    (dict(streak=0.5), 'streak')])
def test_bad_parameters_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Snow(**kwargs)
