"""DiffIR (Xia et al., ICCV 2023): CPEN, DIRformer, the IPR denoiser, the
stage-1 / stage-2 networks and the S1, S2 and SR-GAN models."""
from .cpen import CPEN
from .denoiser import IPRDenoiser
from .diffir_gan import DiffIRS2GAN
from .diffir_nets import DiffIRS1Net, DiffIRS2Net, pad_to_multiple
from .diffir_s1 import DiffIRS1
from .diffir_s2 import DiffIRS2
from .dirformer import DIRformer

__all__ = [
    'CPEN', 'DIRformer', 'IPRDenoiser', 'DiffIRS1Net', 'DiffIRS2Net',
    'DiffIRS1', 'DiffIRS2', 'DiffIRS2GAN', 'pad_to_multiple'
]
