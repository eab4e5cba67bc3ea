"""DiffusionAlignLoss: EEDTP's diffusion objective alignment regularisation
(METHODS.md §1.5), implemented so that every term acts on the update.

Per iteration the restoration loss ``L_res = L1 + fft_weight * FFT-L1`` is
always used. With probability ``gen_prob`` the diffusion terms join:

* ``L_gen``: the denoising-diffusion loss on the same batch's GT; its
  gradient is added with weight ``gen_weight``.
* layer-wise decay ("network hierarchy"): the diffusion gradient of the
  layer at relative depth ``d`` in [0, 1] (execution order, shallow -> deep)
  is scaled by ``exp(-layer_decay * t_mat * d)``.
* ``L_orthog = 1 - cos(g_gen, g_res)`` with weight ``orthog_weight`` (the
  paper's term; ``g_gen`` is the decayed, weighted diffusion gradient), in one
  of two formulations (``orthog_mode``):

  - ``'double_backward'`` (default): ``L_orthog`` is differentiated through
    the gradients (``create_graph=True``): the exact gradient, at the price
    of a backward through the backward graph.
  - ``'surgery'``: no ``L_orthog`` gradient; the diffusion gradient's
    component that conflicts with the restoration gradient is removed. It
    acts only when cos < 0, which on denoising is almost never: an option,
    not the paper's term.

  Their costs per diffusion iteration are measured in configs/eedtp/README.md.
* ``L_reg = reg_weight * sum_k [Omega_k |th_k - th0_k| +
  0.5 Omega_k^2 (th_k - th0_k)^2]``: an importance-weighted anchor to the
  pre-trained weights (th0, Omega kept in :class:`ParameterAnchor`, filled by
  ``ImportanceEstimationHook`` before fine-tuning).
"""
from typing import List, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from mmdiffir.registry import MODELS
from .frequency_loss import fft_l1
from .gradient_ops import cosine, project_conflict


@MODELS.register_module()
class DiffusionAlignLoss(nn.Module):
    """Weights and the term computations of EEDTP's GEF objective.

    Args:
        fft_weight (float): weight of the FFT-L1 restoration term (0.1).
        gen_prob (float): probability that an iteration adds the diffusion
            terms (0.1). 0 gives plain restoration training.
        gen_weight (float): weight of the diffusion gradient (1.0).
        orthog_weight (float): weight of L_orthog (1.0; 0 disables).
        orthog_mode (str): 'double_backward' (default, exact) or
            'surgery' (see the module doc).
        reg_weight (float): lambda of L_reg (0.2; 0 disables).
        layer_decay (float): the 0.05 of exp(-0.05 * t_mat * depth); 0
            disables the decay.
    """

    ORTHOG_MODES = ('double_backward', 'surgery')

    def __init__(self, fft_weight: float = 0.1, gen_prob: float = 0.1,
                 gen_weight: float = 1.0, orthog_weight: float = 1.0,
                 orthog_mode: str = 'double_backward',
                 reg_weight: float = 0.2, layer_decay: float = 0.05):
        super().__init__()
        if orthog_mode not in self.ORTHOG_MODES:
            raise ValueError(f'orthog_mode must be one of {self.ORTHOG_MODES}'
                             f', got {orthog_mode!r}')
        if not 0 <= gen_prob <= 1:
            raise ValueError(f'gen_prob must be in [0, 1], got {gen_prob}')
        self.fft_weight = fft_weight
        self.gen_prob = gen_prob
        self.gen_weight = gen_weight
        self.orthog_weight = orthog_weight
        self.orthog_mode = orthog_mode
        self.reg_weight = reg_weight
        self.layer_decay = layer_decay

    def restoration(self, pred: torch.Tensor, gt: torch.Tensor) -> dict:
        """The L_res terms (images in [0, 1])."""
        terms = dict(loss_l1=F.l1_loss(pred, gt))
        if self.fft_weight:
            terms['loss_fft'] = self.fft_weight * fft_l1(pred, gt)
        return terms

    @staticmethod
    def generation(pred_x0: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
        """L_gen = || f(x_t, t) - x0 ||_1 (the backbone's own residual)."""
        return F.l1_loss(pred_x0, gt)

    def depth_scales(self, depths: torch.Tensor, t_mat) -> torch.Tensor:
        """exp(-layer_decay * t_mat * depth), depth in [0, 1] per param."""
        return torch.exp(-self.layer_decay * float(t_mat) * depths)

    @torch.no_grad()
    def anchor(self, params: Sequence[torch.Tensor],
               theta0: Sequence[torch.Tensor],
               omega: Sequence[torch.Tensor],
               grads: List[torch.Tensor], alpha: float = 1.0):
        """L_reg, with ``alpha`` times its gradient added to ``grads`` in
        place; the gradient in closed form: ``reg_weight * (Omega sign(d) +
        Omega^2 d)`` with ``d = th - th0``.

        Why not autograd: L_reg is a sum of elementwise terms, so its
        gradient needs no graph; fused ``torch._foreach_*`` ops over the
        parameter list cost a few passes over the parameters instead of a
        graph of ~10 ops per tensor and its backward (every diffusion
        iteration). One new parameter-sized list (``Omega d``), the rest in
        place and accumulated straight into ``grads`` (at NAFNet-w48 each
        such list is a 320 MB allocation and each pass reads several of
        that size, a visible part of an iteration on a CPU).
        ``sign(Omega d)`` stands for ``sign(d)``: Omega >= 0 (a mean of
        absolute gradients) and where it is 0 both terms vanish. Values:
        detached; the sum stays on the device."""
        omega = list(omega)
        w_delta = torch._foreach_sub(list(params), list(theta0))
        torch._foreach_mul_(w_delta, omega)  # Omega d
        # sum of Omega |d| + 0.5 (Omega d)^2: an L1 and a squared L2 norm
        value = torch.stack(torch._foreach_norm(w_delta, 1)).sum() + \
            0.5 * torch.stack(torch._foreach_norm(w_delta)).square().sum()
        k = alpha * self.reg_weight
        torch._foreach_addcmul_(grads, omega, w_delta, value=k)  # Omega^2 d
        torch._foreach_sign_(w_delta)
        torch._foreach_addcmul_(grads, omega, w_delta, value=k)  # Omega sgn
        return self.reg_weight * value

    def orthogonality(self, g_gen: Sequence[torch.Tensor],
                      g_res: Sequence[torch.Tensor]) -> torch.Tensor:
        """L_orthog = 1 - cos(g_gen, g_res)."""
        return 1 - cosine(g_gen, g_res)

    def aligned_diffusion_grad(self, g_gen: Sequence[torch.Tensor],
                               g_res: Sequence[torch.Tensor],
                               scales: torch.Tensor) -> List[torch.Tensor]:
        """The diffusion gradient after the layer-wise decay and, in
        'surgery' mode, the L_orthog projection, times ``gen_weight``."""
        decayed = torch._foreach_mul(list(g_gen), scales.tolist())
        if self.orthog_mode == 'surgery' and self.orthog_weight:
            decayed = project_conflict(decayed, g_res, self.orthog_weight)
        if self.gen_weight != 1:  # (a new list: the projection's own)
            decayed = torch._foreach_mul(decayed, self.gen_weight)
        return decayed
