from .base import Degradation
from .blur import GaussianBlur, KernelBlur, MotionBlur, load_kernels
from .equalize_hist import EqualizeHistogram
from .loading import LoadImageFromFile
from .noise_jpeg import AddGaussianNoise, JPEGCompression, LowLight
from .resize import BicubicDownsample
from .snow import Snow
from .weather import Haze, RainStreaks

__all__ = [
    'Degradation', 'AddGaussianNoise', 'JPEGCompression', 'LowLight',
    'GaussianBlur', 'MotionBlur', 'KernelBlur', 'load_kernels',
    'BicubicDownsample', 'RainStreaks', 'Haze', 'Snow', 'LoadImageFromFile',
    'EqualizeHistogram'
]
