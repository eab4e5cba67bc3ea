"""VGG19 perceptual loss whose weights come through ``init_cfg``."""
from typing import Dict, Optional

import torch
import torchvision
from mmengine.model import BaseModule
from torch import nn

from mmdiffir.registry import MODELS


@MODELS.register_module()
class VGGPerceptualLoss(BaseModule):
    """sum_l w_l * criterion(VGG19_l(x), VGG19_l(y)) * loss_weight over the
    layers in ``layer_weights`` (indices into torchvision's
    ``vgg19().features``, e.g. '2' = conv1_2 ... '34' = conv5_4, taken
    before the ReLU as in ESRGAN / Real-ESRGAN).

    Returns ``(loss, None)``, mmagic's ``PerceptualLoss`` API (perceptual,
    style), so mmagic's ``SRGAN.g_step`` uses it unchanged.

    Why not mmagic's ``PerceptualLoss``: its ``PerceptualVGG`` calls
    ``torchvision.models.vgg19(pretrained=True)`` in ``__init__`` and ignores
    its ``pretrained`` argument, so merely *building* the model downloads
    the weights (every config test and offline machine fails). Here the
    ImageNet weights load in ``init_weights`` through
    ``init_cfg=dict(type='Pretrained', checkpoint='torchvision://vgg19')`` (or
    a local file, read by the safe checkpoint loader), i.e. when the Runner
    starts training, and the VGG is always frozen.

    Args:
        layer_weights (dict): {layer index: weight}.
        use_input_norm (bool): ImageNet mean/std normalisation of [0, 1]
            inputs.
        criterion (str): 'l1' or 'mse'.
        loss_weight (float): overall weight.
    """

    def __init__(self,
                 layer_weights: Dict[str, float] = None,
                 use_input_norm: bool = True,
                 criterion: str = 'l1',
                 loss_weight: float = 1.0,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        layer_weights = layer_weights or {'2': 0.1, '7': 0.1, '16': 1.0,
                                          '25': 1.0, '34': 1.0}
        self.layer_weights = {int(k): float(v)
                              for k, v in layer_weights.items()}
        last = max(self.layer_weights)
        features = torchvision.models.vgg19(weights=None).features
        if last >= len(features):
            raise ValueError(f'VGGPerceptualLoss: layer_weights index {last} '
                             f'is beyond vgg19.features ({len(features)})')
        # named 'features' so torchvision's vgg19 state dict loads as is
        # (init_cfg Pretrained with prefix-free keys 'features.N.weight')
        self.features = features[:last + 1]
        self.features.requires_grad_(False)
        if criterion not in ('l1', 'mse'):
            raise ValueError("VGGPerceptualLoss: criterion must be 'l1' or "
                             f"'mse', got {criterion!r}")
        self.criterion = nn.L1Loss() if criterion == 'l1' else nn.MSELoss()
        self.loss_weight = float(loss_weight)
        self.use_input_norm = use_input_norm
        self.register_buffer('mean', torch.tensor(
            [0.485, 0.456, 0.406]).view(1, 3, 1, 1), persistent=False)
        self.register_buffer('std', torch.tensor(
            [0.229, 0.224, 0.225]).view(1, 3, 1, 1), persistent=False)

    def train(self, mode: bool = True):
        super().train(mode)
        self.features.eval()  # frozen feature extractor
        return self

    def _feats(self, x: torch.Tensor) -> Dict[int, torch.Tensor]:
        if self.use_input_norm:
            x = (x - self.mean) / self.std
        out = {}
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in self.layer_weights:
                out[i] = x
        return out

    def forward(self, x: torch.Tensor, gt: torch.Tensor):
        fx, fg = self._feats(x), self._feats(gt.detach())
        loss = sum(w * self.criterion(fx[i], fg[i])
                   for i, w in self.layer_weights.items())
        return loss * self.loss_weight, None
