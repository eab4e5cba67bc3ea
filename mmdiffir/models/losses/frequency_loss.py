"""EEDTP's frequency-domain restoration term (METHODS.md §1.5)."""
import torch
from torch import nn

from mmdiffir.registry import MODELS


def fft_l1(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``mean |fft2(pred) - fft2(target)|``: the complex modulus of the
    difference of the full 2-D spectra (last two dims, torch's default
    un-normalised 'backward' norm), averaged over every frequency, channel
    and sample, as in the reference's restoration loss.

    pred, target: (B, C, H, W), same range (here [0, 1]). With weight 0.1 the
    term is of the order of the pixel L1.
    """
    # at least float32 (torch has no half-precision FFT of any size)
    dtype = torch.promote_types(pred.dtype, torch.float32)
    diff = torch.fft.fft2(pred.to(dtype)) - torch.fft.fft2(target.to(dtype))
    return diff.abs().mean()


@MODELS.register_module()
class FFTLoss(nn.Module):
    """``loss_weight * fft_l1(pred, target)``. mmagic has no frequency-domain
    pixel loss, so this small one is ours."""

    def __init__(self, loss_weight: float = 0.1):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.loss_weight * fft_l1(pred, target)
