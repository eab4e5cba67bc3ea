from .diffuir import DiffUIR
from .diffuir_unet import DiffUIRUNet

__all__ = ['DiffUIR', 'DiffUIRUNet']
