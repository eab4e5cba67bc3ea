"""DiffIR stage 1: CPEN_S1 + DIRformer trained with the image L1 loss."""
import copy
from typing import Optional

import torch
from mmagic.models import BaseEditModel

from mmdiffir.registry import MODELS


def gt_of(data_samples, who: str) -> torch.Tensor:
    """The batch's GT (B, C, H, W) (preprocessed like the inputs), or a clear
    error when the samples carry none."""
    gt = getattr(data_samples, 'gt_img', None) if data_samples is not None \
        else None
    if gt is None:
        raise ValueError(f'{who} needs the GT image of every sample (its '
                         'IR prior is read from LQ and GT); the data '
                         'samples have no gt_img')
    return gt


@MODELS.register_module()
class DiffIRS1(BaseEditModel):
    """Stage 1 (the teacher): ``generator`` is a ``DiffIRS1Net``; the loss is
    ``pixel_loss(DIRformer(LQ, CPEN_S1(LQ, GT)), GT)``. Test-time restoration
    also reads the GT (it is an upper bound that stage 2 learns to reach
    without it)."""

    def forward_tensor(self, inputs: torch.Tensor, data_samples=None,
                       training: bool = False,
                       gt: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``gt``: the GT normalised like ``inputs`` (val/test steps pass
        it); in training the preprocessed samples already hold it so."""
        if gt is None:
            gt = gt_of(data_samples, 'DiffIRS1')
        out, _ = self.generator(inputs, gt)
        return out

    def forward_train(self, inputs: torch.Tensor, data_samples=None,
                      **kwargs) -> dict:
        out = self.forward_tensor(inputs, data_samples, training=True)
        return dict(loss_pix=self.pixel_loss(out, data_samples.gt_img))

    def _with_network_gt(self, data) -> dict:
        """mmagic's preprocessor leaves the samples' GT un-normalised (and in
        BGR) outside training, for the metrics; the stage-1 network needs it
        exactly as in training, so the batch is preprocessed once more in
        training mode (no randomness there) and that GT passed along."""
        gt = gt_of(self.data_preprocessor(copy.deepcopy(data), True)
                   ['data_samples'], 'DiffIRS1')
        data = self.data_preprocessor(data, False)
        data['gt'] = gt
        return data

    def val_step(self, data) -> list:
        return self._run_forward(self._with_network_gt(data), mode='predict')

    def test_step(self, data) -> list:
        return self._run_forward(self._with_network_gt(data), mode='predict')
