"""Rain streaks and haze synthesised on clean photos."""
import cv2
import numpy as np

from mmdiffir.registry import TRANSFORMS
from .base import Degradation, as_range
from .blur import motion_kernel


@TRANSFORMS.register_module()
class RainStreaks(Degradation):
    """Additive rain layer: sparse random drops smeared into streaks.

    Drops are a Bernoulli field of ``density`` (fraction of pixels), widened
    a little, then motion-blurred along ``angle`` over ``length`` pixels; the
    layer is scaled to peak ``brightness`` and screen-blended,
    ``y = 1 - (1 - x)(1 - R)``, so streaks never exceed white (the way rain
    appears in Rain100L/H-style synthetic sets).

    Args:
        density (float | (low, high)): default (0.002, 0.01).
        length (float | (low, high)): streak length px, default (10, 30).
        angle (float | (low, high)): degrees from horizontal, default (60, 120).
        brightness (float | (low, high)): default (0.6, 1.0).
    """

    def __init__(self, density=(0.002, 0.01), length=(10.0, 30.0),
                 angle=(60.0, 120.0), brightness=(0.6, 1.0), **kwargs):
        super().__init__(**kwargs)
        self.density = as_range(density, 'density', low=0, high=1)
        self.length = as_range(length, 'length', low=1)
        self.angle = as_range(angle, 'angle')
        self.brightness = as_range(brightness, 'brightness', low=0, high=1)

    def degrade(self, img, rng):
        density = rng.uniform(*self.density)
        length = rng.uniform(*self.length)
        angle = rng.uniform(*self.angle)
        bright = rng.uniform(*self.brightness)
        h, w = img.shape[:2]
        drops = (rng.random((h, w)) < density).astype(np.float32)
        drops = cv2.dilate(drops, np.ones((2, 1), np.uint8))
        streaks = cv2.filter2D(drops, -1, motion_kernel(length, angle),
                               borderType=cv2.BORDER_REFLECT)
        peak = float(streaks.max())
        if peak > 0:
            streaks = streaks / peak * bright
        rain = np.clip(streaks, 0, 1)[..., None]
        return 1 - (1 - img) * (1 - rain), dict(
            density=density, length=length, angle=angle, brightness=bright)


@TRANSFORMS.register_module()
class Haze(Degradation):
    """Atmospheric scattering model, ``I = J t + A (1 - t)``, ``t = exp(-beta d)``.

    Clean photos carry no depth, so ``d`` is a proxy in [0, 1]: distance grows
    towards the top of the frame (the usual outdoor geometry) and is perturbed
    by a smooth random field, so transmission varies across the image as in
    RESIDE's depth-based synthesis.

    Args:
        beta (float | (low, high)): scattering coefficient, default (0.6, 1.8).
        airlight (float | (low, high)): A in [0, 1], default (0.7, 1.0).
        depth_jitter (float): amplitude of the smooth random depth field.
    """

    def __init__(self, beta=(0.6, 1.8), airlight=(0.7, 1.0),
                 depth_jitter=0.3, **kwargs):
        super().__init__(**kwargs)
        self.beta = as_range(beta, 'beta', low=0)
        self.airlight = as_range(airlight, 'airlight', low=0, high=1)
        self.depth_jitter = float(depth_jitter)
        if self.depth_jitter < 0:
            raise ValueError(f'depth_jitter must be >= 0, got {depth_jitter!r}')

    def degrade(self, img, rng):
        beta = rng.uniform(*self.beta)
        airlight = rng.uniform(*self.airlight)
        h, w = img.shape[:2]
        ramp = np.linspace(1.0, 0.2, h, dtype=np.float32)[:, None].repeat(w, 1)
        coarse = rng.standard_normal((4, 4)).astype(np.float32)
        field = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
        depth = np.clip(ramp + self.depth_jitter * field / 3, 0, 1)
        t = np.exp(-beta * depth)[..., None]
        return img * t + airlight * (1 - t), dict(beta=beta,
                                                  airlight=airlight)
