"""The synthetic degradations on real photos: the output contract, seeding,
that each one degrades more as its strength grows, its physics, and that bad
parameters are refused with a message naming them."""
import cv2
import numpy as np
import pytest
from scipy import ndimage
from skimage.metrics import peak_signal_noise_ratio

from mmdiffir.datasets.transforms import (AddGaussianNoise, BicubicDownsample,
                                          GaussianBlur, Haze, JPEGCompression,
                                          KernelBlur, LowLight, MotionBlur,
                                          RainStreaks, load_kernels)
from tests.kernel_files import (asymmetric_kernels, write_matlab_v5,
                                write_matlab_v73)


def psnr(a, b):
    return peak_signal_noise_ratio(
        np.asarray(a, np.float64), np.asarray(b, np.float64), data_range=255)


@pytest.fixture(scope='session')
def kernel_file(data_tree):
    """Levin09.mat (8 real kernels, HDF5) or the stand-in of the same
    format (see conftest's data_tree)."""
    return str(data_tree / 'deblur' / 'kernels' / 'Levin09.mat')


# ------------------------------------------------------------------ cases --
CLASSES = {
    c.__name__: c
    for c in (AddGaussianNoise, JPEGCompression, LowLight, GaussianBlur,
              MotionBlur, KernelBlur, BicubicDownsample, RainStreaks, Haze)
}


def build(name, kernel_file, **kw):
    defaults = {
        'AddGaussianNoise': dict(sigma=(5, 50)),
        'JPEGCompression': dict(quality=(10, 90)),
        'KernelBlur': dict(kernel_file=kernel_file),
        'BicubicDownsample': dict(scale=2),
    }.get(name, {})
    return CLASSES[name](**{**defaults, **kw})


ALL = list(CLASSES)
STOCHASTIC = [n for n in ALL if n != 'BicubicDownsample']
KEY = 'CBSD68/101085'


def sample(img, key=KEY):
    return dict(gt=img, key=key, gt_path=f'/data/{key}.png',
                gt_channel_order='rgb', gt_color_type='color')


@pytest.fixture(scope='module')
def photo(real_photos):
    return real_photos[0]  # RGB uint8 96x128


@pytest.mark.parametrize('layout', ['colour', 'grey'])
@pytest.mark.parametrize('name', ALL)
def test_output_contract(name, layout, photo, kernel_file):
    img = photo.copy() if layout == 'colour' else cv2.cvtColor(
        photo, cv2.COLOR_RGB2GRAY)
    clean = img.copy()
    res = build(name, kernel_file, seed=3)(sample(img))
    out = res['img']
    scale = 2 if name == 'BicubicDownsample' else 1
    expect = (img.shape[0] // scale, img.shape[1] // scale) + img.shape[2:]
    assert out.shape == expect and res['ori_img_shape'] == expect
    assert out.dtype == np.float32
    assert np.isfinite(out).all() and out.min() >= 0 and out.max() <= 255
    # The clean image is left as it was (96x128 is a multiple of the scale).
    assert res['gt'].dtype == np.uint8
    np.testing.assert_array_equal(res['gt'], clean)
    # Its metadata follows it into the degraded image.
    assert res['img_channel_order'] == 'rgb'
    assert res['img_color_type'] == 'color'
    assert res['degradation'][-1]['type'] == name
    if scale == 1:
        assert psnr(out, clean) < 60  # something happened
    # A float input in [0, 255], and HxWx1 instead of HxW, give the same.
    same = build(name, kernel_file, seed=3)(sample(clean.astype(
        np.float32)))['img']
    np.testing.assert_allclose(same, out, atol=1e-3)
    if layout == 'grey':
        hw1 = build(name, kernel_file, seed=3)(sample(clean[..., None]))['img']
        assert hw1.shape == out.shape + (1, )
        np.testing.assert_allclose(hw1[..., 0], out, atol=1e-3)


@pytest.mark.parametrize('name', ALL)
def test_seeded_by_seed_and_key(name, photo, kernel_file):
    def run(seed, key):
        return build(name, kernel_file, seed=seed)(sample(photo,
                                                          key))['img']

    first = run(0, KEY)
    np.testing.assert_array_equal(first, run(0, KEY))  # a fresh instance
    others = [run(0, f'img{i:03d}') for i in range(5)]
    distinct = {o.tobytes() for o in others + [first]}
    if name in STOCHASTIC:
        assert len(distinct) >= 2, 'the key must change the degradation'
        assert any(not np.array_equal(run(0, k), run(1, k))
                   for k in (KEY, 'img000', 'img001')), 'seed must matter'
    else:
        assert len(distinct) == 1  # deterministic


@pytest.mark.parametrize('name', STOCHASTIC)
def test_unseeded_follows_numpy_global_rng(name, photo, kernel_file):
    t = build(name, kernel_file)  # seed=None

    def run(global_seed):
        np.random.seed(global_seed)
        return t(sample(photo))['img']

    a, b = run(123), run(123)
    np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, run(s)) for s in (124, 125, 126))


def test_chained_seeded_degradations_draw_independently(photo):
    """Regression: two transforms with one seed used to draw the same
    uniforms, so sigma and JPEG quality were perfectly correlated."""
    tiny = photo[:8, :8]
    u_sigma, u_quality = [], []
    for i in range(40):
        res = AddGaussianNoise(sigma=(0, 50), seed=0)(sample(tiny,
                                                             f'k{i}'))
        res = JPEGCompression(quality=(10, 90), seed=0, key_in='img')(res)
        u_sigma.append(res['degradation'][0]['sigma'] / 50)
        u_quality.append((res['degradation'][1]['quality'] - 10) / 80)
    assert abs(np.corrcoef(u_sigma, u_quality)[0, 1]) < 0.6


# --------------------------------------------------------------- strength --
STRENGTH = [
    ('AddGaussianNoise', 'sigma', [5, 15, 50], {}),
    ('JPEGCompression', 'quality', [90, 50, 10], {}),
    ('GaussianBlur', 'sigma', [0.5, 1.5, 3.0], {}),
    ('MotionBlur', 'length', [3, 9, 21], dict(angle=30)),
    ('LowLight', 'exposure', [0.6, 0.3, 0.1], dict(gamma=1.5, noise_sigma=0)),
    ('LowLight', 'gamma', [1.2, 2.0, 3.0], dict(exposure=0.8, noise_sigma=0)),
    ('RainStreaks', 'density', [0.001, 0.005, 0.02],
     dict(length=20, angle=80, brightness=0.8)),
    ('Haze', 'beta', [0.3, 1.0, 2.5], dict(airlight=0.9)),
]


@pytest.mark.parametrize('name,param,values,fixed', STRENGTH,
                         ids=[f'{s[0]}-{s[1]}' for s in STRENGTH])
def test_psnr_falls_as_strength_grows(name, param, values, fixed,
                                      real_photos, kernel_file):
    for photo in real_photos:
        scores = [
            psnr(build(name, kernel_file, seed=0, **{param: v}, **fixed)(
                sample(photo))['img'], photo) for v in values
        ]
        assert scores[0] > scores[1] > scores[2], (name, scores)
        assert scores[0] - scores[2] > 1.0, (name, scores)


def test_bicubic_loses_more_detail_at_larger_scales(real_photos):
    for photo in real_photos:
        clean = photo[:96, :120]  # a multiple of 2, 3 and 4
        scores = []
        for scale in (2, 3, 4):
            lr = BicubicDownsample(scale=scale)(sample(clean))['img']
            assert lr.shape == (96 // scale, 120 // scale, 3)
            up = cv2.resize(lr, (120, 96), interpolation=cv2.INTER_CUBIC)
            scores.append(psnr(np.clip(up, 0, 255), clean))
        assert scores[0] > scores[1] > scores[2], scores


def test_bicubic_crops_gt_to_a_multiple_of_scale(photo):
    res = BicubicDownsample(scale=3)(sample(photo[:95, :128]))
    assert res['gt'].shape == (93, 126, 3) and res['img'].shape == (31, 42, 3)
    np.testing.assert_array_equal(res['gt'], photo[:93, :126])
    assert res['scale'] == 3


def test_bicubic_matches_matlab_on_set5(shared_data):
    """The published Set5 x4 LR images were made with MATLAB's imresize."""
    if shared_data is None:
        pytest.skip('needs ../shared/data/sr/Set5/image_SRF_4 (the published '
                    'MATLAB-made LR images; nothing embedded stands in)')
    folder = shared_data / 'sr' / 'Set5' / 'image_SRF_4'
    hr = cv2.imread(str(folder / 'img_001_SRF_4_HR.png'))
    lr = cv2.imread(str(folder / 'img_001_SRF_4_LR.png'))
    out = BicubicDownsample(scale=4)(dict(gt=hr, key='img_001'))['img']
    assert out.shape == lr.shape
    assert psnr(np.round(out), lr) > 50  # measured 57.7 dB
    # A naive (non-antialiased) resize is far off: the check can fail.
    naive = cv2.resize(hr, lr.shape[1::-1], interpolation=cv2.INTER_CUBIC)
    assert psnr(naive, lr) < 40


# ---------------------------------------------------------------- physics --
def test_noise_has_the_requested_sigma(photo):
    out = AddGaussianNoise(sigma=20, seed=0)(sample(photo))['img']
    mid = (photo > 40) & (photo < 215)  # away from clipping
    resid = out[mid] - photo[mid]
    assert abs(resid.mean()) < 1.0 and abs(resid.std() - 20) < 1.0


def test_jpeg_equals_opencv_whatever_the_channel_order(photo):
    bgr = np.ascontiguousarray(photo[..., ::-1])
    ok, buf = cv2.imencode('.jpg', bgr, [cv2.IMWRITE_JPEG_QUALITY, 30])
    ref_bgr = cv2.imdecode(buf, cv2.IMREAD_COLOR).astype(np.float32)
    # RGB pipeline (order read from the sample's metadata, or given).
    rgb_auto = JPEGCompression(quality=30)(sample(photo))['img']
    rgb_given = JPEGCompression(quality=30, channel_order='rgb')(dict(
        gt=photo))['img']
    np.testing.assert_array_equal(rgb_auto, ref_bgr[..., ::-1])
    np.testing.assert_array_equal(rgb_given, ref_bgr[..., ::-1])
    # BGR pipeline (mmagic's default loading order).
    bgr_res = dict(gt=bgr, key=KEY, gt_channel_order='bgr')
    np.testing.assert_array_equal(
        JPEGCompression(quality=30)(bgr_res)['img'], ref_bgr)
    # The order matters: the wrong one is a different (wrong) image.
    wrong = JPEGCompression(quality=30, channel_order='bgr')(dict(
        gt=photo))['img']
    assert not np.array_equal(wrong, rgb_given)


def test_lowlight_darkens(photo):
    out = LowLight(gamma=2.0, exposure=0.4, noise_sigma=0)(sample(photo))
    expect = 0.4 * (photo / 255.0)**2 * 255
    np.testing.assert_allclose(out['img'], expect, atol=1e-3)


def test_rain_only_brightens_and_haze_moves_to_airlight(photo):
    rain = RainStreaks(density=0.01, seed=0)(sample(photo))['img']
    assert (rain >= photo - 1e-3).all() and (rain > photo + 20).mean() > 0.01
    hazy = Haze(beta=1.5, airlight=0.8, seed=0)(sample(photo))['img']
    a = 0.8 * 255
    assert (np.abs(hazy - a) <= np.abs(photo - a) + 1e-3).all()
    # Farther (top of the frame) is hazier: closer to the airlight.
    top, bottom = np.abs(hazy[:20] - a).mean(), np.abs(hazy[-20:] - a).mean()
    assert top / np.abs(photo[:20] - a).mean() < bottom / np.abs(
        photo[-20:] - a).mean()


def test_motion_blur_follows_its_angle():
    rows = np.tile((np.arange(64) % 8 < 4)[:, None] * 200.0, (1, 64))
    cols = rows.T.copy()
    horizontal = MotionBlur(length=9, angle=0, seed=0)
    vertical = MotionBlur(length=9, angle=90, seed=0)
    # A horizontal streak leaves horizontal stripes (constant rows) intact.
    np.testing.assert_allclose(horizontal(dict(gt=rows))['img'], rows,
                               atol=1e-3)
    assert np.abs(horizontal(dict(gt=cols))['img'] - cols).mean() > 30
    np.testing.assert_allclose(vertical(dict(gt=cols))['img'], cols,
                               atol=1e-3)
    assert np.abs(vertical(dict(gt=rows))['img'] - rows).mean() > 30


def test_kernel_blur_is_a_true_convolution(photo, kernel_file):
    kernels = load_kernels(kernel_file)
    img = photo.astype(np.float64)
    for idx in (0, len(kernels) - 1):
        out = KernelBlur(kernel_file=kernel_file, indices=[idx])(dict(
            gt=photo))
        assert out['degradation'][0]['kernel'] == idx
        k = kernels[idx] / kernels[idx].sum()
        ref = np.stack([
            ndimage.convolve(img[..., c], k, mode='reflect')
            for c in range(3)
        ], -1)
        np.testing.assert_allclose(out['img'], ref, atol=0.02)


def test_kernel_readers_transpose_correctly(tmp_path):
    ks = asymmetric_kernels()
    write_matlab_v73(tmp_path / 'v73.mat', ks)
    write_matlab_v5(tmp_path / 'v5.mat', ks)
    for name in ('v73.mat', 'v5.mat'):
        got = load_kernels(str(tmp_path / name))
        assert len(got) == len(ks)
        for g, k in zip(got, ks):
            np.testing.assert_allclose(g, k)


def test_real_kernel_files(shared_data):
    if shared_data is None:
        pytest.skip('needs ../shared/data/deblur/kernels (Levin09.mat and '
                    'kernels_12.mat: the real files are what is tested)')
    folder = shared_data / 'deblur' / 'kernels'
    levin = load_kernels(str(folder / 'Levin09.mat'))  # HDF5
    k12 = load_kernels(str(folder / 'kernels_12.mat'))  # scipy.io
    assert len(levin) == 8 and len(k12) == 12
    assert [k.shape for k in levin[:3]] == [(19, 19), (17, 17), (15, 15)]
    for k in levin + k12:
        assert k.ndim == 2 and k.min() >= 0 and abs(k.sum() - 1) < 1e-3
    # Levin's 7th and 8th kernels are kernels_12's 10th and 9th, zero-padded
    # to 25x25: the two readers agree on orientation.
    for li, ki in ((6, 9), (7, 8)):
        pad = (25 - levin[li].shape[0]) // 2
        np.testing.assert_allclose(
            np.pad(levin[li], pad) / levin[li].sum(), k12[ki] / k12[ki].sum(),
            atol=1e-6)
        assert not np.allclose(np.pad(levin[li].T, pad), k12[ki], atol=1e-4)
    assert len({KernelBlur(kernel_file=str(folder / 'kernels_12.mat'),
                           seed=0)(dict(gt=np.zeros((4, 4)),
                                        key=f'k{i}'))['degradation'][0]
                ['kernel'] for i in range(30)}) > 4


# ------------------------------------------------------------------ errors --
BAD = [
    (AddGaussianNoise, dict(sigma=(5, 1)), 'sigma'),
    (AddGaussianNoise, dict(sigma=-1), 'sigma'),
    (JPEGCompression, dict(quality=0), 'quality'),
    (JPEGCompression, dict(quality=(20, 101)), 'quality'),
    (JPEGCompression, dict(quality=(50, 10)), 'quality'),
    (JPEGCompression, dict(channel_order='yuv'), 'channel_order'),
    (GaussianBlur, dict(kernel_size=4), 'kernel_size'),
    (GaussianBlur, dict(kernel_size=-3), 'kernel_size'),
    (GaussianBlur, dict(sigma=-1.0), 'sigma'),
    (GaussianBlur, dict(sigma=(3, 1)), 'sigma'),
    (MotionBlur, dict(length=0.5), 'length'),
    (MotionBlur, dict(angle=(90, 0)), 'angle'),
    (LowLight, dict(gamma=0), 'gamma'),
    (LowLight, dict(exposure=-0.1), 'exposure'),
    (LowLight, dict(noise_sigma=(5, 1)), 'noise_sigma'),
    (RainStreaks, dict(density=1.5), 'density'),
    (RainStreaks, dict(brightness=(0.5, 2)), 'brightness'),
    (RainStreaks, dict(length=-3), 'length'),
    (Haze, dict(beta=-1), 'beta'),
    (Haze, dict(airlight=2), 'airlight'),
    (Haze, dict(depth_jitter=-1), 'depth_jitter'),
    (BicubicDownsample, dict(scale=0), 'scale'),
    (BicubicDownsample, dict(scale=2.5), 'scale'),
]


@pytest.mark.parametrize('cls,kwargs,word', BAD,
                         ids=[f'{c.__name__}-{k}' for c, k, _ in BAD])
def test_bad_parameters_are_refused(cls, kwargs, word):
    with pytest.raises(ValueError, match=word):
        cls(**kwargs)


def test_kernel_file_problems(tmp_path, kernel_file):
    missing = tmp_path / 'nowhere' / 'Levin09.mat'
    with pytest.raises(FileNotFoundError, match='nowhere/Levin09.mat'):
        KernelBlur(kernel_file=str(missing))
    n = len(load_kernels(kernel_file))
    with pytest.raises(ValueError, match='indices'):
        KernelBlur(kernel_file=kernel_file, indices=[n])
    with pytest.raises(ValueError, match='indices'):
        KernelBlur(kernel_file=kernel_file, indices=[])
    # A .mat file without a "kernels" variable, in both formats.
    write_matlab_v5(tmp_path / 'pca.mat', asymmetric_kernels(), name='P')
    write_matlab_v73(tmp_path / 'pca73.mat', asymmetric_kernels(), name='P')
    for name in ('pca.mat', 'pca73.mat'):
        with pytest.raises(ValueError, match='no "kernels" variable.*P'):
            KernelBlur(kernel_file=str(tmp_path / name))


def test_runtime_errors_name_the_problem(photo):
    for t in (AddGaussianNoise(), BicubicDownsample(scale=2)):
        with pytest.raises(KeyError, match='no "gt" image'):
            t(dict(img=photo))
    rgba = np.dstack([photo, photo[..., :1]])
    with pytest.raises(ValueError, match='4 channels'):
        JPEGCompression(quality=50)(dict(gt=rgba))
