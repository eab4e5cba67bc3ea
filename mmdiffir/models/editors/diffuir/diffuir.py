"""DiffUIR (Zheng et al., CVPR 2024): universal restoration by residual
diffusion with the shared distribution term, METHODS.md §3.

Training: ``I_t = q_sample(I_0, I_in, t, eps)`` with t ~ U{0..T-1}; the UNet
sees concat(I_t, I_in) and the time value, predicts ``I_res = I_in - I_0``,
L1 loss. No task id anywhere (mixed-task batches come from the
MultiTaskDataset / MultiTaskSampler of the config).

Test: the deterministic sampler of :class:`DiffUIRSchedule` (3 steps at
t = 999, 665, 332 by default), restored = clip(I_in - Ihat_res).

Images are in [-1, 1]: the config's ``DataPreprocessor`` uses mean = std =
127.5 for both the input and the GT, and ``destruct`` maps the prediction
back to [0, 255] for the metrics.

EMA and gradient clipping are not in the model: EMA is mmengine's
``EMAHook`` (it swaps the averaged weights in for val/test and saves them as
the checkpoint's ``state_dict``, so ``tools/test.py`` / ``infer.py`` use them
without the hook) and clipping is the optim wrapper's ``clip_grad``.
"""
from typing import Dict, Optional

import torch
from mmagic.models import BaseEditModel
from mmagic.structures import DataSample

from mmdiffir.models.inference_utils import TileFlipMixin
from mmdiffir.registry import DIFFUSION_SCHEDULERS, MODELS

_TEST_KEYS = ('sampling_steps', 'start_noise', 'seed', 'tile',
              'tile_overlap', 'flip_ensemble')


@MODELS.register_module()
class DiffUIR(TileFlipMixin, BaseEditModel):
    """Args:
        generator (dict): the UNet (``DiffUIRUNet``) on 2 x 3 channels.
        schedule (dict): a ``DiffUIRSchedule`` config (coefficients, time
            input, default sampling steps and start-noise scale).
        pixel_loss (dict): loss between predicted and true residual (L1).
        test_cfg (dict): optional overrides at val/test time:
            ``sampling_steps`` (int), ``start_noise`` (float), ``seed``
            (int or None: the start noise of every batch is drawn from a
            generator seeded with it, so a test is reproducible and the same
            for any number of processes with batch size 1; None uses the
            global RNG), ``tile`` / ``tile_overlap`` (run the sampler on
            overlapping tiles; the middle full attention makes untiled
            memory quadratic in the image area), ``flip_ensemble`` (the
            sampler on 1/2/4/8 flips/transposes, averaged); tiles and flips
            by :class:`TileFlipMixin`, each sampled from the same seed.
    """

    def __init__(self,
                 generator: dict,
                 schedule: dict = dict(type='DiffUIRSchedule'),
                 pixel_loss: dict = dict(type='L1Loss', loss_weight=1.0),
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None):
        super().__init__(generator=generator, pixel_loss=pixel_loss,
                         train_cfg=train_cfg, test_cfg=test_cfg,
                         init_cfg=init_cfg,
                         data_preprocessor=data_preprocessor)
        self.schedule = DIFFUSION_SCHEDULERS.build(schedule)
        unknown = sorted(set(self.test_cfg or {}) - set(_TEST_KEYS))
        if unknown:
            raise KeyError(f'DiffUIR: unknown test_cfg keys {unknown}; '
                           f'allowed: {list(_TEST_KEYS)}')

    # ------------------------------------------------------------ network
    def predict_residual(self, x_t: torch.Tensor, lq: torch.Tensor,
                         time_value: torch.Tensor) -> torch.Tensor:
        """Ihat_res = UNet(concat(I_t, I_in), time). All (B, 3, H, W) in
        [-1, 1] (I_t may leave the range); time_value (B,) float."""
        return self.generator(torch.cat((x_t, lq), dim=1), time_value)

    # ------------------------------------------------------------ training
    def forward_train(self, inputs: torch.Tensor,
                      data_samples: Optional[DataSample] = None,
                      **kwargs) -> Dict[str, torch.Tensor]:
        if data_samples is None or 'gt_img' not in data_samples:
            raise ValueError('DiffUIR training needs the GT image '
                             '(data_samples.gt_img); check that the pipeline '
                             'packs a "gt" image')
        gt = data_samples.gt_img
        if gt.shape != inputs.shape:
            raise ValueError(f'DiffUIR: input {tuple(inputs.shape)} and GT '
                             f'{tuple(gt.shape)} differ in shape')
        t = self.schedule.sample_t(gt.shape[0], device=gt.device)
        x_t = self.schedule.q_sample(gt, inputs, t, torch.randn_like(gt))
        pred = self.predict_residual(x_t, inputs, self.schedule.time_value(t))
        return dict(loss=self.pixel_loss(pred, inputs - gt))

    # ------------------------------------------------------------ testing
    def restore(self, lq: torch.Tensor, steps: Optional[int] = None,
                start_noise: Optional[float] = None,
                generator: Optional[torch.Generator] = None,
                trajectory: Optional[list] = None) -> torch.Tensor:
        """Run the sampler on ``lq`` (B, 3, H, W) in [-1, 1]; returns the
        restored batch in [-1, 1]."""
        return self.schedule.sample(self.predict_residual, lq, steps,
                                    start_noise, generator, trajectory)

    def forward_tensor(self, inputs: torch.Tensor,
                       data_samples: Optional[DataSample] = None,
                       **kwargs) -> torch.Tensor:
        cfg = self.test_cfg or {}
        seed = cfg.get('seed', 0)

        def run(x):
            gen = None
            if seed is not None:
                gen = torch.Generator(device=x.device).manual_seed(int(seed))
            return self.restore(x, cfg.get('sampling_steps'),
                                cfg.get('start_noise'), gen)

        return self.tile_flip(run, inputs)
