from .diffuir import DiffUIR
from .diffuir_unet import DiffUIRUNet
from .equalize_hist import EqualizeHistogram

__all__ = ['DiffUIR', 'DiffUIRUNet', 'EqualizeHistogram']
