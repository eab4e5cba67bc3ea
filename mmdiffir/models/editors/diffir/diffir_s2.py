"""DiffIR stage 2: CPEN_S2 + IPR diffusion + DIRformer, taught by a frozen
stage-1 network. The whole step lives in ``forward_train`` so that the
standard mmengine paths (single process, ``MMDistributedDataParallel``) run
it unchanged; nothing here reaches into a wrapper's ``.module``.
"""
from typing import Optional

import torch
from mmagic.models import BaseEditModel

from mmdiffir.models.inference_utils import TileFlipMixin
from mmdiffir.registry import MODELS
from mmdiffir.utils.runtime import current_iter
from .diffir_s1 import gt_of
from .s1_teacher import FrozenS1Mixin


@MODELS.register_module()
class DiffIRS2(TileFlipMixin, FrozenS1Mixin, BaseEditModel):
    """Args:
        generator (dict): a ``DiffIRS2Net``.
        s1 (dict, optional): the stage-1 ``DiffIRS1Net`` (same config as
            stage 1); None for test / inference only (no teacher).
        s1_checkpoint (str, optional): a DiffIRS1 checkpoint (see
            :class:`FrozenS1Mixin`).
        encoder_iter (int): iterations of the encoder warm-up: only L_diff,
            the DIRformer is not run, so only CPEN_S2 + the denoiser get
            gradients. Afterwards L_pix + L_diff train everything but s1.
        pixel_loss (dict): image loss (L1).
        diffusion_loss (dict): loss between Zhat and Z_S1 (L1).
        test_cfg (dict, optional): ``tile`` / ``tile_overlap`` /
            ``flip_ensemble`` (:class:`TileFlipMixin`).
    """

    def __init__(self,
                 generator: dict,
                 s1: dict,
                 s1_checkpoint: Optional[str] = None,
                 encoder_iter: int = 0,
                 pixel_loss: dict = dict(type='L1Loss'),
                 diffusion_loss: dict = dict(type='L1Loss'),
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None):
        super().__init__(generator=generator, pixel_loss=pixel_loss,
                         train_cfg=train_cfg, test_cfg=test_cfg,
                         init_cfg=init_cfg,
                         data_preprocessor=data_preprocessor)
        if int(encoder_iter) != encoder_iter or encoder_iter < 0:
            raise ValueError('model.encoder_iter must be a non-negative '
                             f'integer, got {encoder_iter!r}')
        self.encoder_iter = int(encoder_iter)
        self.diffusion_loss = MODELS.build(diffusion_loss)
        self._build_s1(s1, s1_checkpoint)

    def in_warmup(self) -> bool:
        return current_iter() < self.encoder_iter

    def forward_train(self, inputs: torch.Tensor, data_samples=None,
                      **kwargs) -> dict:
        gt = gt_of(data_samples, 'DiffIRS2 training')
        z_s1 = self.teacher_ipr(inputs, gt)
        warmup = self.in_warmup()
        out, z = self.generator(inputs, z_s1, restore=not warmup)
        losses = dict(loss_diff=self.diffusion_loss(z, z_s1))
        if not warmup:
            losses['loss_pix'] = self.pixel_loss(out, gt)
        return losses

    def forward_tensor(self, inputs: torch.Tensor, data_samples=None,
                       training: bool = False) -> torch.Tensor:
        """Restoration from the LQ only: Z_T ~ N(0, I), 4 steps, DIRformer;
        with test_cfg's tiles / flips (:class:`TileFlipMixin`), each pass
        drawing its own Z_T from the global RNG."""
        return self.tile_flip(lambda x: self.generator(x)[0], inputs)
