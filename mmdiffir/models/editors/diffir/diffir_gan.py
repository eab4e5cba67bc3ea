"""DiffIR stage 2 with the SR GAN objective (L1 + VGG perceptual + GAN +
L_diff), a discriminator and a second optimizer (``OptimWrapperDict`` with
'generator' and 'discriminator').

This subclasses mmagic's ``SRGAN`` and keeps its discriminator step
(``d_step_with_optim``), its G-step losses (``g_step``), the
``disc_steps`` / ``disc_init_steps`` / ``disc_repeat`` schedule and the step
counter. Only ``train_step`` is rewritten: SRGAN's assumes
``generator(lq) -> image``, while DiffIR's generator also takes Z_S1 and
returns Zhat, whose L_diff joins the generator loss. (mmagic's
``RealESRGAN`` adds EMA / GT-USM on top of the same step and offers nothing
more to reuse here.) For several processes use
``model_wrapper_cfg=dict(type='MMSeparateDistributedDataParallel')`` as for
every mmagic GAN: generator and discriminator get a DDP each and the frozen
S1 / VGG stay unwrapped.
"""
from typing import Dict, Optional

import torch
from mmagic.models.editors.srgan import SRGAN
from mmagic.models.utils import set_requires_grad
from mmengine.optim import OptimWrapperDict

from mmdiffir.models.inference_utils import TileFlipMixin
from mmdiffir.registry import MODELS
from .diffir_s1 import gt_of
from .s1_teacher import FrozenS1Mixin


@MODELS.register_module()
class DiffIRS2GAN(TileFlipMixin, FrozenS1Mixin, SRGAN):
    """Args: those of mmagic's ``SRGAN`` plus ``s1``, ``s1_checkpoint`` (see
    :class:`~.s1_teacher.FrozenS1Mixin`) and ``diffusion_loss``. Usually
    started with ``load_from`` = a DiffIRS2 checkpoint (its ``generator.*``
    and ``s1.*`` fit; the discriminator starts fresh)."""

    def __init__(self,
                 generator: dict,
                 s1: dict,
                 discriminator: dict,
                 gan_loss: dict,
                 pixel_loss: Optional[dict] = dict(type='L1Loss'),
                 perceptual_loss: Optional[dict] = None,
                 diffusion_loss: dict = dict(type='L1Loss'),
                 s1_checkpoint: Optional[str] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None):
        super().__init__(generator=generator, discriminator=discriminator,
                         gan_loss=gan_loss, pixel_loss=pixel_loss,
                         perceptual_loss=perceptual_loss,
                         train_cfg=train_cfg, test_cfg=test_cfg,
                         init_cfg=init_cfg,
                         data_preprocessor=data_preprocessor)
        self.diffusion_loss = MODELS.build(diffusion_loss)
        self._build_s1(s1, s1_checkpoint)

    def forward_tensor(self, inputs: torch.Tensor, data_samples=None,
                       training: bool = False) -> torch.Tensor:
        """As :meth:`DiffIRS2.forward_tensor` (tiles / flips of test_cfg)."""
        return self.tile_flip(lambda x: self.generator(x)[0], inputs)

    def train_step(self, data, optim_wrapper: OptimWrapperDict
                   ) -> Dict[str, torch.Tensor]:
        if not isinstance(optim_wrapper, OptimWrapperDict) or \
                set(optim_wrapper.keys()) != {'generator', 'discriminator'}:
            raise ValueError('DiffIRS2GAN needs optim_wrapper = dict(generator='
                             '..., discriminator=...) (an OptimWrapperDict)')
        g_optim = optim_wrapper['generator']
        data = self.data_preprocessor(data, True)
        lq = data['inputs']
        gt = gt_of(data['data_samples'], 'DiffIRS2GAN training')
        z_s1 = self.teacher_ipr(lq, gt)
        run_g = bool(self.if_run_g())
        log_vars = {}
        # no graph when the G step is skipped (disc_init_steps): a DDP
        # generator must not see a forward without its backward
        with g_optim.optim_context(self), torch.set_grad_enabled(run_g):
            out, z = self.generator(lq, z_s1)
        if run_g:
            set_requires_grad(self.discriminator, False)
            with g_optim.optim_context(self):
                losses = self.g_step(out, gt)
                losses['loss_diff'] = self.diffusion_loss(z, z_s1)
            parsed, log_g = self.parse_losses(losses)
            g_optim.update_params(parsed)
            log_vars.update(log_g)
        if self.if_run_d():
            set_requires_grad(self.discriminator, True)
            for _ in range(self.disc_repeat):
                log_vars.update(self.d_step_with_optim(
                    out.detach(), gt, optim_wrapper))
        log_vars.pop('loss', None)
        self.step_counter += 1
        return log_vars
