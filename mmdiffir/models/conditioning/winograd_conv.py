"""3x3 convolutions for inference by Winograd's minimal filtering, through
the NNPACK library bundled with PyTorch.

Why not ``F.conv2d``: for a float32 CPU tensor PyTorch's convolution
dispatch takes oneDNN, which runs these convolutions directly (9
multiply-adds per weight and pixel); it considers NNPACK only after oneDNN
and only for batches of 16 or more. NNPACK's Winograd transform
F(6x6, 3x3) (its choice for one image; for a batch of large images it may
take its FFT tiles, as exact) needs about 5x fewer multiplies than a direct
convolution; on one core it computes the MoE adapters' first convs of
NAFNet-w48 2-3x faster than oneDNN (the adapters section of
docs/benchmarks/eedtp_cost.md). It is the same
convolution; only the rounding differs (up to about 1e-5 of the output's
magnitude, from the transforms), as when cuDNN chooses its Winograd
kernels on a GPU.

Only for forwards without autograd (PyTorch has no NNPACK backward). Where
NNPACK does not apply (another device or dtype, tracing or compiling, no
NNPACK in this build or on this CPU) :func:`conv3x3` is ``F.conv2d``; so
it is if NNPACK refuses a call, after one warning naming the shapes.
"""
import warnings

import torch
import torch.nn.functional as F

_state = {'usable': None}  # None: not asked yet; NNPACK initialises once


def nnpack_usable() -> bool:
    """Whether this PyTorch build and CPU run NNPACK (the first call
    initialises the library, which its convolution needs)."""
    if _state['usable'] is None:
        _state['usable'] = bool(torch.backends.nnpack.is_available())
    return _state['usable']


def winograd_applies(x: torch.Tensor) -> bool:
    """Whether :func:`conv3x3` takes NNPACK for input ``x`` (never while
    tracing or compiling: an exported or compiled graph must not hold a
    CPU-only private op)."""
    return (x.device.type == 'cpu' and x.dtype == torch.float32
            and x.dim() == 4 and not torch.is_grad_enabled()
            and not torch.jit.is_tracing()
            and not torch.compiler.is_compiling() and nnpack_usable())


def conv3x3(x: torch.Tensor, weight: torch.Tensor,
            bias: torch.Tensor) -> torch.Tensor:
    """``F.conv2d(x, weight, bias, padding=1)`` for a 3x3 ``weight``, by
    Winograd (NNPACK) where :func:`winograd_applies`."""
    if winograd_applies(x):
        try:
            return torch._nnpack_spatial_convolution(
                x.contiguous(), weight.contiguous(), bias.contiguous(),
                [1, 1])
        except RuntimeError as err:
            _state['usable'] = False
            warnings.warn(f'NNPACK refused a 3x3 convolution of input '
                          f'{tuple(x.shape)} and weight '
                          f'{tuple(weight.shape)} ({err}); using '
                          'F.conv2d from now on')
    return F.conv2d(x, weight, bias, padding=1)
