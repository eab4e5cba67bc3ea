"""Blur degradations: Gaussian, linear motion and real camera-shake kernels."""
import os.path as osp
from functools import lru_cache

import cv2
import numpy as np

from mmdiffir.registry import TRANSFORMS
from .base import Degradation, as_range


def convolve(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Per-channel 2-D convolution with reflected borders. img HWC float32."""
    kernel = (kernel / kernel.sum()).astype(np.float32)
    # cv2.filter2D correlates; flipping makes it a true convolution, which
    # matters for the asymmetric real kernels.
    out = cv2.filter2D(img, -1, kernel[::-1, ::-1].copy(),
                       borderType=cv2.BORDER_REFLECT)
    return out.reshape(img.shape)


def gaussian_kernel(sigma: float, size: int) -> np.ndarray:
    ax = np.arange(size, dtype=np.float64) - (size - 1) / 2
    g = np.exp(-0.5 * (ax / max(sigma, 1e-6))**2)
    return np.outer(g, g)


def motion_kernel(length: float, angle_deg: float) -> np.ndarray:
    """A line of ``length`` pixels at ``angle_deg``, anti-aliased."""
    size = int(np.ceil(length)) | 1  # odd
    k = np.zeros((size, size), np.float32)
    c = (size - 1) / 2
    dx, dy = np.cos(np.deg2rad(angle_deg)), -np.sin(np.deg2rad(angle_deg))
    half = (length - 1) / 2
    for t in np.linspace(-half, half, max(int(length) * 4, 2)):
        x, y = c + t * dx, c + t * dy
        x0, y0 = int(np.floor(x)), int(np.floor(y))
        fx, fy = x - x0, y - y0
        for xi, yi, w in ((x0, y0, (1 - fx) * (1 - fy)), (x0 + 1, y0, fx *
                                                           (1 - fy)),
                          (x0, y0 + 1, (1 - fx) * fy), (x0 + 1, y0 + 1,
                                                        fx * fy)):
            if 0 <= xi < size and 0 <= yi < size:
                k[yi, xi] += w
    return k / k.sum()


@TRANSFORMS.register_module()
class GaussianBlur(Degradation):
    """Isotropic Gaussian blur.

    Args:
        sigma (float | (low, high)): std in pixels, default (0.5, 3.0).
        kernel_size (int): odd; default 0 = 2 * ceil(3 * sigma) + 1.
    """

    def __init__(self, sigma=(0.5, 3.0), kernel_size=0, **kwargs):
        super().__init__(**kwargs)
        self.sigma = as_range(sigma, 'sigma', low=0)
        if int(kernel_size) != kernel_size or kernel_size < 0 or (
                kernel_size and kernel_size % 2 == 0):
            raise ValueError(f'kernel_size must be 0 (automatic) or a '
                             f'positive odd integer, got {kernel_size!r}')
        self.kernel_size = kernel_size

    def degrade(self, img, rng):
        sigma = rng.uniform(*self.sigma)
        size = self.kernel_size or 2 * int(np.ceil(3 * sigma)) + 1
        return convolve(img, gaussian_kernel(sigma, size)), dict(sigma=sigma)


@TRANSFORMS.register_module()
class MotionBlur(Degradation):
    """Uniform linear motion blur.

    Args:
        length (float | (low, high)): streak length in pixels, default (5, 21).
        angle (float | (low, high)): direction in degrees, default (0, 180).
    """

    def __init__(self, length=(5.0, 21.0), angle=(0.0, 180.0), **kwargs):
        super().__init__(**kwargs)
        self.length = as_range(length, 'length', low=1)
        self.angle = as_range(angle, 'angle')

    def degrade(self, img, rng):
        length = rng.uniform(*self.length)
        angle = rng.uniform(*self.angle)
        return convolve(img, motion_kernel(length, angle)), dict(
            length=length, angle=angle)


@lru_cache(maxsize=8)
def load_kernels(path: str):
    """Blur kernels from a MATLAB file: v7.3/HDF5 (Levin09.mat, read with
    h5py) or older (kernels_12.mat, read with scipy.io). Tuple of 2-D arrays."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'blur kernel file not found: {path}')
    import h5py
    if h5py.is_hdf5(path):
        with h5py.File(path, 'r') as f:
            if 'kernels' not in f:
                raise ValueError(f'{path} has no "kernels" variable '
                                 f'(variables: {sorted(f)})')
            refs = f['kernels']
            # MATLAB v7.3 stores arrays column-major: transpose back.
            kernels = [np.array(f[r]).T for r in np.ravel(refs[()])]
    else:  # a pre-v7.3 MATLAB file
        from scipy.io import loadmat
        mat = loadmat(path)
        if 'kernels' not in mat:
            names = sorted(k for k in mat if not k.startswith('__'))
            raise ValueError(f'{path} has no "kernels" variable '
                             f'(variables: {names})')
        kernels = [np.asarray(k) for k in np.ravel(mat['kernels'])]
    kernels = tuple(np.asarray(k, np.float64) for k in kernels)
    bad = [i for i, k in enumerate(kernels) if k.ndim != 2 or k.sum() <= 0]
    if bad:
        raise ValueError(f'{path}: kernels {bad} are not 2-D with a positive '
                         'sum')
    if not kernels:
        raise ValueError(f'no kernels in {path}')
    return kernels


@TRANSFORMS.register_module()
class KernelBlur(Degradation):
    """Blur with real camera-shake kernels read from a .mat file
    (e.g. ``../shared/data/deblur/kernels/Levin09.mat``, 8 kernels).

    Args:
        kernel_file (str): path of the .mat file with a ``kernels`` cell array.
        indices (list[int], optional): which kernels to draw from (all).
    """

    def __init__(self, kernel_file: str, indices=None, **kwargs):
        super().__init__(**kwargs)
        self.kernel_file = kernel_file
        n = len(load_kernels(kernel_file))
        self.indices = list(range(n)) if indices is None else list(indices)
        if not self.indices or not all(0 <= i < n for i in self.indices):
            raise ValueError(f'indices must be in [0, {n}) for {kernel_file},'
                             f' got {indices!r}')

    def degrade(self, img, rng):
        idx = int(rng.choice(self.indices))
        return convolve(img, load_kernels(self.kernel_file)[idx]), dict(
            kernel=idx)
