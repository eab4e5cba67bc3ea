"""The IPR denoiser of DiffIR: an MLP that predicts Z0 (x0-parameterised).

Shapes: z_t (B, 256), t (B,) integer steps 0..T-1, condition (B, 256) from
CPEN_S2 -> Z0_hat (B, 256).
"""
from typing import Optional

import torch
from mmengine.model import BaseModule
from torch import nn

from mmdiffir.registry import MODELS


@MODELS.register_module()
class IPRDenoiser(BaseModule):
    """concat[condition (D), t / (10 T) (1), z_t (D)] -> Linear(2D+1 -> D) +
    LeakyReLU(0.1) -> ``n_res`` x [Linear(D -> D) + LeakyReLU(0.1)].

    The time input is a scalar feature rather than a sinusoidal embedding:
    with T = 4 the four values 0, 1/40, 2/40, 3/40 are all it needs to tell
    the steps apart. (The reference calls the hidden layers "ResMLP" but adds
    no skip connection; neither does this.)

    Args:
        ipr_dim (int): D (256).
        n_res (int): hidden layers after the input layer (1 in all
            published configs).
        T (int): number of diffusion steps (scales the time feature).
    """

    def __init__(self, ipr_dim: int = 256, n_res: int = 1, T: int = 4,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if T < 1 or n_res < 0:
            raise ValueError(f'IPRDenoiser: need T >= 1 and n_res >= 0, got '
                             f'T={T}, n_res={n_res}')
        self.ipr_dim = ipr_dim
        self.time_scale = 1.0 / (10 * T)
        layers = [nn.Linear(2 * ipr_dim + 1, ipr_dim),
                  nn.LeakyReLU(0.1, inplace=True)]
        for _ in range(n_res):
            layers += [nn.Linear(ipr_dim, ipr_dim),
                       nn.LeakyReLU(0.1, inplace=True)]
        self.mlp = nn.Sequential(*layers)

    def forward(self, z_t: torch.Tensor, t: torch.Tensor,
                condition: torch.Tensor) -> torch.Tensor:
        t = t.to(z_t.dtype).view(-1, 1) * self.time_scale
        return self.mlp(torch.cat([condition, t, z_t], dim=1))
