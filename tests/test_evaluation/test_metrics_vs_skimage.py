"""mmagic's PSNR / SSIM, reached the way a restoration model is evaluated,
against scikit-image on real photos.

Path: files loaded with ``channel_order='rgb'`` -> PackInputs -> a real
``BaseEditModel`` (identity generator) whose ``DataPreprocessor`` has
mean 0 / std 255 -> ``val_step`` (preprocess, predict, destruct) -> mmengine
``Evaluator.process`` -> metric ``compute_metrics``.

mmagic's metrics hard-code ``channel_order='BGR'`` for the Y conversion. That
is right only because the preprocessor, at test time, converts ``gt_img``
from the order recorded by the loader (``gt_channel_order``) to BGR, and
``destruct`` converts predictions from ``img``'s recorded order to BGR. The
noise here is much stronger on blue than on red, so reading RGB as BGR would
move the Y-PSNR by decibels (checked below): agreement to 0.005 dB means the
channels reach the metric in the order it assumes.
"""
import numpy as np
import pytest
import torch.nn as nn
from mmengine.dataset import Compose, pseudo_collate
from mmengine.evaluator import Evaluator
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

# noise std per channel R, G, B on the 0-255 scale
SIGMA_RGB = (3.0, 8.0, 25.0)


class _IdentityNet(nn.Module):
    """A "restoration network" that returns its input."""

    def forward(self, x):
        return x


def y_channel(rgb):
    """ITU-R BT.601 luma of an RGB image on the 0-255 scale (the formula
    MATLAB's rgb2ycbcr uses, as the SR/IR literature does)."""
    r, g, b = (rgb[..., c].astype(np.float64) / 255.0 for c in range(3))
    return 16.0 + 65.481 * r + 128.553 * g + 24.966 * b


def crop(img, border):
    return img[border:-border, border:-border] if border else img


def sk_psnr(gt, pred, border):
    return peak_signal_noise_ratio(crop(gt, border).astype(np.float64),
                                   crop(pred, border).astype(np.float64),
                                   data_range=255)


def sk_ssim(gt, pred, border):
    gt, pred = crop(gt, border), crop(pred, border)
    return structural_similarity(
        gt.astype(np.float64), pred.astype(np.float64), gaussian_weights=True,
        sigma=1.5, use_sample_covariance=False, data_range=255,
        channel_axis=-1 if gt.ndim == 3 else None)


def reference(name, convert_to, gt, pred, border):
    if convert_to == 'Y':
        gt, pred = y_channel(gt), y_channel(pred)
    return (sk_psnr if name == 'PSNR' else sk_ssim)(gt, pred, border)


@pytest.fixture(scope='module')
def photo_pairs(real_photos, tmp_path_factory, save_rgb):
    """(clean RGB, noisy RGB, clean path, noisy path) per photo, written as
    PNG files (what the loader will read back exactly)."""
    root = tmp_path_factory.mktemp('metric_pairs')
    rng = np.random.default_rng(2024)
    pairs = []
    for i, clean in enumerate(real_photos[:3]):
        noise = rng.standard_normal(clean.shape) * np.array(SIGMA_RGB)
        noisy = np.clip(clean + noise, 0, 255).round().astype(np.uint8)
        pairs.append((clean, noisy, save_rgb(root / f'gt/{i}.png', clean),
                      save_rgb(root / f'noisy/{i}.png', noisy)))
    return pairs


def build_model(output_channel_order):
    from mmdiffir.registry import MODELS
    MODELS.register_module(name='_MetricTestIdentityNet', module=_IdentityNet,
                           force=True)
    return MODELS.build(
        dict(type='BaseEditModel',
             generator=dict(type='_MetricTestIdentityNet'),
             pixel_loss=dict(type='L1Loss'),
             data_preprocessor=dict(type='DataPreprocessor',
                                    mean=[0., 0., 0.], std=[255., 255., 255.],
                                    output_channel_order=output_channel_order)))


def evaluate(model, pipeline, items, metric_cfgs):
    """One batch through val_step and the evaluator; per-image results of
    each metric, and each metric's compute_metrics over the batch."""
    from mmdiffir.registry import METRICS
    metrics = [METRICS.build(cfg) for cfg in metric_cfgs]
    evaluator = Evaluator(metrics)
    data = pseudo_collate([Compose(pipeline)(dict(item)) for item in items])
    outputs = model.val_step(data)
    evaluator.process(data_samples=outputs, data_batch=data)
    per_image = [[r[m.metric] for r in m.results] for m in metrics]
    overall = [m.compute_metrics(m.results)[m.metric] for m in metrics]
    return per_image, overall


LOAD_RGB = [
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    dict(type='PackInputs'),
]
CASES = [(name, conv, border) for name in ('PSNR', 'SSIM')
         for conv in (None, 'Y') for border in (0, 4)]
TOL = dict(PSNR=0.005, SSIM=1e-4)


@pytest.mark.parametrize('output_channel_order', [None, 'RGB', 'BGR'])
def test_metrics_agree_with_skimage(photo_pairs, registered,
                                    output_channel_order):
    model = build_model(output_channel_order)
    items = [dict(img_path=noisy_p, gt_path=gt_p, key=str(i))
             for i, (_, _, gt_p, noisy_p) in enumerate(photo_pairs)]
    cfgs = [dict(type=n, crop_border=b, convert_to=c) for n, c, b in CASES]
    per_image, overall = evaluate(model, LOAD_RGB, items, cfgs)
    for (name, conv, border), got, avg in zip(CASES, per_image, overall):
        want = [reference(name, conv, clean, noisy, border)
                for clean, noisy, _, _ in photo_pairs]
        np.testing.assert_allclose(got, want, rtol=0, atol=TOL[name],
                                   err_msg=f'{name} convert_to={conv} '
                                   f'crop_border={border}')
        assert avg == pytest.approx(np.mean(want), abs=TOL[name])


def test_y_check_is_sensitive_to_channel_order(photo_pairs):
    """The agreement above could not happen with R and B swapped: Y of the
    BGR-read image scores several dB differently."""
    for clean, noisy, _, _ in photo_pairs:
        right = sk_psnr(y_channel(clean), y_channel(noisy), 0)
        swapped = sk_psnr(y_channel(clean[..., ::-1]),
                          y_channel(noisy[..., ::-1]), 0)
        assert abs(right - swapped) > 2.0


def test_metrics_on_synthetic_pairs_made_in_the_pipeline(photo_pairs,
                                                         registered):
    """The usual synthetic test set: clean photo loaded as RGB, degraded in
    the pipeline (the degraded image has no file, its channel order comes
    from the degradation copying ``gt_channel_order``)."""
    from mmdiffir.registry import TRANSFORMS
    model = build_model(None)
    noise = dict(type='AddGaussianNoise', sigma=25, seed=0)
    pipeline = [
        dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
        noise,
        dict(type='PackInputs'),
    ]
    items = [dict(gt_path=gt_p, key=f'CBSD68/{i}')
             for i, (_, _, gt_p, _) in enumerate(photo_pairs)]
    cfgs = [dict(type=n, crop_border=b, convert_to=c) for n, c, b in CASES]
    per_image, _ = evaluate(model, pipeline, items, cfgs)
    make_noisy = TRANSFORMS.build(noise)
    noisy = [
        make_noisy(dict(gt=clean, key=item['key']))['img']
        for (clean, _, _, _), item in zip(photo_pairs, items)
    ]
    for (name, conv, border), got in zip(CASES, per_image):
        want = [reference(name, conv, clean, n, border)
                for (clean, _, _, _), n in zip(photo_pairs, noisy)]
        np.testing.assert_allclose(got, want, rtol=0, atol=TOL[name],
                                   err_msg=f'{name} convert_to={conv}')
    # sigma 25 on real photos: the expected ballpark, not a degenerate case.
    assert 20 < np.mean(per_image[0]) < 24
