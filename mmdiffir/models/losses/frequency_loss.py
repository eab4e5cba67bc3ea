"""L1 distance between Fourier spectra (EEDTP's restoration loss term)."""
import torch
from torch import nn

from mmdiffir.registry import MODELS


def fft_l1(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``mean |rfft2(pred) - rfft2(target)|`` over real and imaginary parts.

    pred, target: (B, C, H, W), same range (here [0, 1]). Un-normalised FFT
    (torch's default 'backward' norm), so the term weighs like the MIMO-UNet
    / NAFNet frequency losses it comes from; with weight 0.1 it is of the
    order of the pixel L1.
    """
    diff = torch.fft.rfft2(pred.float()) - torch.fft.rfft2(target.float())
    return torch.view_as_real(diff).abs().mean()


@MODELS.register_module()
class FFTLoss(nn.Module):
    """``loss_weight * fft_l1(pred, target)``. mmagic has no frequency-domain
    pixel loss, so this small one is ours."""

    def __init__(self, loss_weight: float = 0.1):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.loss_weight * fft_l1(pred, target)
