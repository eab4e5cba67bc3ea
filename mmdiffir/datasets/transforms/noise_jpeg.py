"""Gaussian noise and JPEG compression."""
import cv2
import numpy as np

from mmdiffir.registry import TRANSFORMS
from .base import Degradation, as_range


@TRANSFORMS.register_module()
class AddGaussianNoise(Degradation):
    """Additive white Gaussian noise, ``y = x + n``, ``n ~ N(0, sigma/255)``.

    Args:
        sigma (float | (low, high)): noise std on the 0-255 scale; a pair
            draws it uniformly per image (blind denoising, e.g. (0, 25)).
        Other args: see :class:`Degradation`. The result is clipped to
        [0, 255], as every degradation's is.
    """

    def __init__(self, sigma=25.0, **kwargs):
        super().__init__(**kwargs)
        self.sigma = as_range(sigma, 'sigma', low=0)

    def degrade(self, img, rng):
        sigma = rng.uniform(*self.sigma)
        noise = rng.standard_normal(img.shape).astype(np.float32)
        return img + noise * (sigma / 255.0), dict(sigma=sigma)


@TRANSFORMS.register_module()
class JPEGCompression(Degradation):
    """JPEG encode/decode with OpenCV at a quality in ``quality``.

    Args:
        quality (int | (low, high)): JPEG quality 1-100 (lower = stronger).
        channel_order (str, optional): 'rgb' or 'bgr', the order of the image
            in the pipeline; OpenCV's encoder expects BGR for its YCbCr
            conversion. Default None: the ``{key_in}_channel_order`` that
            ``LoadImageFromFile`` records in the sample, else 'rgb'.

    Only grey (1-channel) and colour (3-channel) images can be JPEG-coded.
    """

    def __init__(self, quality=(10, 40), channel_order=None, **kwargs):
        super().__init__(**kwargs)
        self.quality = as_range(quality, 'quality', low=1, high=100)
        if channel_order not in (None, 'rgb', 'bgr'):
            raise ValueError(f'channel_order must be None, rgb or bgr, got '
                             f'{channel_order!r}')
        self.channel_order = channel_order
        self._order = channel_order or 'rgb'

    def transform(self, results):
        order = self.channel_order or str(
            results.get(f'{self.key_in}_channel_order', 'rgb')).lower()
        if order not in ('rgb', 'bgr'):
            raise ValueError(f'JPEGCompression: unknown channel order '
                             f'{order!r} of "{self.key_in}"')
        self._order = order
        return super().transform(results)

    def degrade(self, img, rng):
        q = int(round(rng.uniform(*self.quality)))
        if img.shape[2] not in (1, 3):
            raise ValueError(f'JPEGCompression needs a 1- or 3-channel image, '
                             f'got {img.shape[2]} channels')
        u8 = np.round(np.clip(img, 0, 1) * 255).astype(np.uint8)
        colour = u8.shape[2] == 3
        if colour and self._order == 'rgb':
            u8 = u8[..., ::-1]
        ok, buf = cv2.imencode('.jpg', u8 if colour else u8[..., 0],
                               [cv2.IMWRITE_JPEG_QUALITY, q])
        if not ok:
            raise RuntimeError(f'OpenCV failed to JPEG-encode at quality {q}')
        dec = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
        dec = dec.reshape(u8.shape)
        if colour and self._order == 'rgb':
            dec = dec[..., ::-1]
        return dec.astype(np.float32) / 255.0, dict(quality=q)
