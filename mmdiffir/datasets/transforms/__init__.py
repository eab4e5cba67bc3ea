from .base import Degradation
from .blur import GaussianBlur, KernelBlur, MotionBlur, load_kernels
from .equalize_hist import EqualizeHistogram
from .loading import LoadImageFromFile
from .low_light import LowLight
from .noise_jpeg import AddGaussianNoise, JPEGCompression
from .resize import BicubicDownsample
from .weather import Haze, RainStreaks, Snow

__all__ = [
    'Degradation', 'AddGaussianNoise', 'JPEGCompression', 'LowLight',
    'GaussianBlur', 'MotionBlur', 'KernelBlur', 'load_kernels',
    'BicubicDownsample', 'RainStreaks', 'Haze', 'Snow', 'LoadImageFromFile',
    'EqualizeHistogram'
]
