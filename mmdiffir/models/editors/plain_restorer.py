"""The plain baselines' model: mmagic's ``BaseEditModel`` (the generator
alone, one pass, its pixel loss) whose val/test pass also honours
``test_cfg``'s tiles and flip ensemble, as every mmdiffir restorer does, so
that a plain baseline and its EEDTP arm are tested (``tools/test.py
--flip-ensemble``) and run by the inferencer through the same code."""
import torch
from mmagic.models import BaseEditModel

from mmdiffir.models.inference_utils import TileFlipMixin
from mmdiffir.registry import MODELS


@MODELS.register_module()
class PlainRestorer(TileFlipMixin, BaseEditModel):
    """``BaseEditModel`` with ``test_cfg`` keys ``tile``, ``tile_overlap``
    and ``flip_ensemble`` (:class:`TileFlipMixin`); same arguments and
    state_dict, so BaseEditModel checkpoints load unchanged."""

    def forward_tensor(self, inputs: torch.Tensor, data_samples=None,
                       **kwargs) -> torch.Tensor:
        """The generator on ``inputs`` (B, C, H, W); in eval mode through
        the configured tiles / flips (training, whose ``forward_train``
        also calls this, always runs the whole batch once)."""
        if self.training:
            return self.generator(inputs, **kwargs)
        return self.tile_flip(lambda x: self.generator(x, **kwargs), inputs)
