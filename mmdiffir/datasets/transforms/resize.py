"""Bicubic downsampling for super-resolution pairs."""
import numpy as np
from mmagic.datasets.transforms.matlab_like_resize import MATLABLikeResize

from mmdiffir.registry import TRANSFORMS
from .base import Degradation


@TRANSFORMS.register_module()
class BicubicDownsample(Degradation):
    """MATLAB-style bicubic downsampling (antialiased ``imresize``, the SR
    benchmark convention), by an integer ``scale``. The clean image is first
    cropped to a multiple of ``scale`` (in place, so the pair stays aligned).
    """

    def __init__(self, scale: int = 4, **kwargs):
        super().__init__(**kwargs)
        if int(scale) != scale or scale < 1:
            raise ValueError(f'scale must be a positive integer, got {scale}')
        self.scale = int(scale)
        # mmagic's MATLAB-compatible resize does the maths; it is a transform
        # over fixed keys, so only its resize routine is used here.
        self._resizer = MATLABLikeResize(keys=[], scale=1.0 / self.scale)

    def degrade(self, img, rng):
        return np.asarray(self._resizer._resize(img),
                          np.float32), dict(scale=self.scale)

    def transform(self, results):
        if self.key_in not in results:
            raise KeyError(f'{type(self).__name__}: no "{self.key_in}" image '
                           f'in the sample (keys: {sorted(results)})')
        gt = results[self.key_in]
        h, w = gt.shape[:2]
        results[self.key_in] = gt[:h - h % self.scale, :w - w % self.scale]
        results = super().transform(results)
        results['scale'] = self.scale
        return results
