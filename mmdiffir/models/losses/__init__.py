from .diffusion_align import DiffusionAlignLoss
from .frequency_loss import FFTLoss, fft_l1

__all__ = ['DiffusionAlignLoss', 'FFTLoss', 'fft_l1']
