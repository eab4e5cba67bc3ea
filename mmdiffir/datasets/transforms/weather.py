"""Weather synthesised on clean photos: rain streaks, haze and falling snow
(stand-ins for Rain100L, SOTS and Snow100K)."""
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


@TRANSFORMS.register_module()
class Snow(Degradation):
    """Snow layers alpha-blended over the photo, plus a faint veil.

    Snow100K composites several snow masks of different particle sizes
    (small far flakes, large near ones) over a photo, with the flakes
    slightly smeared by their fall. Here each of ``layers`` masks is a
    Bernoulli field of ``density`` seeds, grown to round flakes of radius
    ``flake_size`` (px, larger for nearer layers), Gaussian-softened and
    motion-blurred along ``angle`` over ``streak`` px; the masks are
    combined as ``a = 1 - prod(1 - opacity_k * m_k)`` and blended towards
    white, ``y = x (1 - a) + a``, after a veil ``x <- x (1 - v) + v``
    (falling snow also lowers contrast).

    Args:
        density (float | (low, high)): flake seeds per pixel of the densest
            (farthest) layer, default (0.001, 0.004); nearer layers have
            fewer, larger flakes.
        flake_size (float | (low, high)): radius in px of the nearest
            layer's flakes, default (1.5, 4.0).
        layers (int): number of depth layers, default 3.
        angle (float | (low, high)): fall direction in degrees from
            horizontal, default (60, 120).
        streak (float | (low, high)): motion smear length in px, default
            (1, 8).
        opacity (float | (low, high)): peak flake opacity, default
            (0.7, 1.0).
        veil (float | (low, high)): white veil strength, default (0, 0.15).
    """

    def __init__(self, density=(0.001, 0.004), flake_size=(1.5, 4.0),
                 layers=3, angle=(60.0, 120.0), streak=(1.0, 8.0),
                 opacity=(0.7, 1.0), veil=(0.0, 0.15), **kwargs):
        super().__init__(**kwargs)
        self.density = as_range(density, 'density', low=0, high=1)
        self.flake_size = as_range(flake_size, 'flake_size', low=0.5)
        if int(layers) != layers or layers < 1:
            raise ValueError(f'layers must be a positive integer, got '
                             f'{layers!r}')
        self.layers = int(layers)
        self.angle = as_range(angle, 'angle')
        self.streak = as_range(streak, 'streak', low=1)
        self.opacity = as_range(opacity, 'opacity', low=0, high=1)
        self.veil = as_range(veil, 'veil', low=0, high=1)

    def _layer(self, rng, h, w, density, radius, angle, streak):
        seeds = (rng.random((h, w)) < density).astype(np.float32)
        size = 2 * int(np.ceil(radius)) + 1
        disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
        mask = cv2.dilate(seeds, disk)
        # soft flake edges; sigma grows with the flake
        mask = cv2.GaussianBlur(mask, (0, 0), sigmaX=max(radius / 2, 0.5))
        if streak > 1:
            mask = cv2.filter2D(mask, -1, motion_kernel(streak, angle),
                                borderType=cv2.BORDER_REFLECT)
        peak = float(mask.max())
        return mask / peak if peak > 0 else mask

    def degrade(self, img, rng):
        density = rng.uniform(*self.density)
        radius = rng.uniform(*self.flake_size)
        angle = rng.uniform(*self.angle)
        streak = rng.uniform(*self.streak)
        opacity = rng.uniform(*self.opacity)
        veil = rng.uniform(*self.veil)
        h, w = img.shape[:2]
        clear = np.ones((h, w), np.float32)
        for k in range(self.layers):
            # layer 0 is the farthest: many small, faint flakes; the nearest
            # (k = layers - 1) has the drawn radius, full opacity, and a
            # longer smear (closer flakes move further per exposure)
            near = (k + 1) / self.layers
            m = self._layer(rng, h, w, density / (1 + 3 * k),
                            max(radius * near, 0.5), angle,
                            max(streak * near, 1.0))
            clear *= 1 - opacity * (0.5 + 0.5 * near) * m
        alpha = (1 - clear)[..., None]
        out = img * (1 - veil) + veil
        return out * (1 - alpha) + alpha, dict(
            density=density, flake_size=radius, angle=angle, streak=streak,
            opacity=opacity, veil=veil)
