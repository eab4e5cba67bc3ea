from .diffusion_align import DiffusionAlignLoss
from .frequency_loss import FFTLoss, fft_l1
from .perceptual_loss import VGGPerceptualLoss

__all__ = ['DiffusionAlignLoss', 'FFTLoss', 'fft_l1', 'VGGPerceptualLoss']
