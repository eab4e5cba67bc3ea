"""Pre-trained weights and their importance, kept with the model."""
from typing import List, Sequence, Tuple

import torch
from torch import nn


class ParameterAnchor(nn.Module):
    """theta0 (weights at the start of fine-tuning) and Omega (importance,
    the mean |dL_gen/dtheta| there) for a list of parameters, as buffers, so
    they are saved in and restored from checkpoints with the model.

    ``ready`` is False until :meth:`set` runs (ImportanceEstimationHook); a
    resumed run finds it True and does not estimate again.
    """

    def __init__(self, named_params: Sequence[Tuple[str, torch.Tensor]]):
        super().__init__()
        self.names = [n for n, _ in named_params]
        for i, (_, p) in enumerate(named_params):
            self.register_buffer(f'theta0_{i}', torch.zeros_like(p.detach()))
            self.register_buffer(f'omega_{i}', torch.zeros_like(p.detach()))
        self.register_buffer('ready', torch.tensor(False))

    @property
    def theta0(self) -> List[torch.Tensor]:
        return [getattr(self, f'theta0_{i}') for i in range(len(self.names))]

    @property
    def omega(self) -> List[torch.Tensor]:
        return [getattr(self, f'omega_{i}') for i in range(len(self.names))]

    @torch.no_grad()
    def set(self, params: Sequence[torch.Tensor],
            omega: Sequence[torch.Tensor]) -> None:
        for i, (p, w) in enumerate(zip(params, omega)):
            getattr(self, f'theta0_{i}').copy_(p.detach())
            getattr(self, f'omega_{i}').copy_(w.detach())
        self.ready.fill_(True)
