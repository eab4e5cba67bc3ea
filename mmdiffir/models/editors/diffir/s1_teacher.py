"""The frozen stage-1 network inside stage 2 (and the SR GAN stage)."""
from typing import Optional

import torch
from mmengine.logging import MMLogger
from mmengine.model import is_model_wrapper

from mmdiffir.registry import MODELS
from mmdiffir.utils.checkpoint import safe_torch_load


def unwrap(module):
    """The bare module of a DDP-like wrapper (MMSeparateDistributedDataParallel
    wraps each trainable child), else the module itself."""
    return module.module if is_model_wrapper(module) else module


class FrozenS1Mixin:
    """Adds ``self.s1``: a ``DiffIRS1Net`` that supplies the target IPR Z_S1,
    never trained (no gradients, always in eval mode).

    With ``s1_checkpoint`` (a DiffIRS1 checkpoint), :meth:`init_weights` -
    which mmengine's Runner calls before ``load_from`` / ``--resume`` - copies
    its ``generator.*`` weights into ``s1`` and its DIRformer into the
    stage-2 DIRformer (CPEN_S2 has other input channels and starts fresh, as
    in the reference). A later ``load_from`` of a stage-2 checkpoint (resume,
    GAN stage) overrides both, since it holds ``s1.*`` too.

    ``s1=None`` builds no teacher: the model then tests and infers (the
    stage-2 network never reads Z_S1 there) and loads a checkpoint without
    ``s1.*`` strictly - the case of the released DiffIR S2 files, for which
    no stage-1 weights were published - but cannot train.
    """

    def _build_s1(self, s1: Optional[dict],
                  s1_checkpoint: Optional[str]) -> None:
        if s1 is None:
            if s1_checkpoint:
                raise ValueError('model.s1_checkpoint is set but model.s1 is '
                                 'None: there is no stage-1 network to load '
                                 'it into')
            self.s1, self.s1_checkpoint = None, None
            return
        if not isinstance(s1, dict) or 'type' not in s1:
            raise TypeError('model.s1 must be the config dict of the stage-1 '
                            f'network (a DiffIRS1Net) or None, got {s1!r}')
        self.s1 = MODELS.build(s1)
        self.s1.requires_grad_(False)
        self.s1.eval()
        self.s1_checkpoint = s1_checkpoint

    def train(self, mode: bool = True):
        super().train(mode)
        if self.s1 is not None:
            self.s1.eval()
        return self

    @torch.no_grad()
    def teacher_ipr(self, lq: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
        """Z_S1 (B, 256), detached."""
        if self.s1 is None:
            raise RuntimeError(
                f'{type(self).__name__} was built with model.s1=None (no '
                'stage-1 teacher): it can test and infer but not train; '
                'set model.s1 to the stage-1 network config to train')
        return self.s1.ipr(lq, gt)

    def init_weights(self) -> None:
        super().init_weights()
        if self.s1_checkpoint:
            self.load_s1(self.s1_checkpoint)

    def load_s1(self, path: str) -> None:
        """Load a DiffIRS1 checkpoint into ``s1`` and the stage-2 DIRformer."""
        try:
            ckpt = safe_torch_load(path, map_location='cpu')
        except FileNotFoundError as err:
            raise FileNotFoundError(f'model.s1_checkpoint: {err}') from err
        state = ckpt.get('state_dict', ckpt)
        prefix = 'generator.'
        s1_state = {k[len(prefix):]: v for k, v in state.items()
                    if k.startswith(prefix)}
        if not s1_state:
            raise KeyError(f'model.s1_checkpoint {path} holds no '
                           f'"{prefix}*" weights: is it a DiffIRS1 checkpoint?')
        try:
            self.s1.load_state_dict(s1_state, strict=True)
        except RuntimeError as err:
            raise RuntimeError(f'model.s1_checkpoint {path} does not fit '
                               f'model.s1 (same sizes as the stage-1 config '
                               f'needed): {err}') from err
        sub = 'dirformer.'
        unwrap(self.generator).dirformer.load_state_dict(
            {k[len(sub):]: v for k, v in s1_state.items()
             if k.startswith(sub)}, strict=True)
        MMLogger.get_current_instance().info(
            f'DiffIR: stage-1 weights loaded from {path} into s1 (frozen) '
            'and the stage-2 DIRformer')
