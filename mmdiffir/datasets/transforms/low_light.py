"""Under-exposure (a LOL-like low-light stand-in)."""
import numpy as np

from mmdiffir.registry import TRANSFORMS
from .base import Degradation, as_range


@TRANSFORMS.register_module()
class LowLight(Degradation):
    """Under-exposure: ``y = exposure * x ** gamma + N(0, noise_sigma/255)``.

    Gamma > 1 darkens mid-tones more than highlights (as a short exposure
    followed by a camera tone curve does); the additive noise stands for the
    sensor noise that dominates dark images.

    Args:
        gamma (float | (low, high)): default (1.5, 3.0).
        exposure (float | (low, high)): multiplicative gain, default (0.1, 0.4).
        noise_sigma (float | (low, high)): 0-255 scale, default (0, 5).
    """

    def __init__(self, gamma=(1.5, 3.0), exposure=(0.1, 0.4),
                 noise_sigma=(0.0, 5.0), **kwargs):
        super().__init__(**kwargs)
        self.gamma = as_range(gamma, 'gamma')
        if self.gamma[0] <= 0:
            raise ValueError(f'gamma must be > 0, got {gamma!r}')
        self.exposure = as_range(exposure, 'exposure', low=0)
        self.noise_sigma = as_range(noise_sigma, 'noise_sigma', low=0)

    def degrade(self, img, rng):
        gamma = rng.uniform(*self.gamma)
        exposure = rng.uniform(*self.exposure)
        sigma = rng.uniform(*self.noise_sigma)
        dark = exposure * np.power(img, gamma)
        dark = dark + rng.standard_normal(img.shape).astype(
            np.float32) * (sigma / 255.0)
        return dark, dict(gamma=gamma, exposure=exposure, noise_sigma=sigma)
