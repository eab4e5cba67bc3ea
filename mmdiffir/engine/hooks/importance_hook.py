"""Estimate EEDTP's parameter importance (Omega) before fine-tuning."""
import logging
import random

import numpy as np
import torch
from mmengine.dist import get_dist_info
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper
from torch.utils.data import DataLoader

from mmdiffir.registry import HOOKS


@HOOKS.register_module()
class ImportanceEstimationHook(Hook):
    """Before training, fill the model's ``anchor`` with theta0 (the loaded
    pre-trained weights) and Omega (mean |dL_gen/dtheta| over
    ``num_batches`` training batches), unless it is already filled for this
    model's trainable parameters (a resumed run restores both from the
    checkpoint). An anchor loaded from a model with other trainable
    parameters is estimated again (with a warning).

    The random streams (python, numpy, torch) are saved and restored around
    the estimation, so a run that estimates and one that resumes draw the
    same training data afterwards.
    """
    priority = 'VERY_HIGH'

    def __init__(self, num_batches: int = 50):
        if num_batches < 1:
            raise ValueError(f'num_batches must be >= 1, got {num_batches}')
        self.num_batches = num_batches

    def _batches(self, runner):
        """``num_batches`` batches from the training set through a loader of
        its own: the training loader's infinite sampler is a single shared
        generator that a second iterator would disturb.

        The same global batches as one process with batch ``W * B`` would
        see: one fixed permutation on every rank, rank r taking items r,
        r + W, ... of each global batch (the layout of mmengine's samplers),
        so Omega does not depend on the number of processes."""
        train = runner.train_dataloader
        rank, world = get_dist_info()
        size, step = len(train.dataset), train.batch_size * world
        gen = torch.Generator().manual_seed(1000)
        order = []
        while len(order) < step * self.num_batches:  # small set: more passes
            order += torch.randperm(size, generator=gen).tolist()
        local = [i for k in range(self.num_batches)
                 for i in order[k * step:(k + 1) * step][rank::world]]
        loader = DataLoader(train.dataset, batch_size=train.batch_size,
                            sampler=local, num_workers=0,
                            collate_fn=train.collate_fn)
        yield from loader

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if not hasattr(model, 'anchor') or not hasattr(
                model, 'estimate_importance'):
            raise TypeError('ImportanceEstimationHook needs a model with an '
                            f'anchor (EEDTPRestorer), got {type(model).__name__}')
        if model.anchor.matches():
            print_log('importance (Omega) restored from the checkpoint',
                      logger='current')
            return
        if bool(model.anchor.ready):
            # theta0/Omega of another model's parameter list (e.g. a GEF
            # checkpoint loaded into an MTUL model with adapters): stored by
            # position, they would anchor the wrong tensors
            print_log('the loaded anchor (theta0, Omega) was estimated for '
                      'other trainable parameters than this model\'s: '
                      'estimating it again at the loaded weights',
                      logger='current', level=logging.WARNING)
            model._anchor_ok = False
        states = (random.getstate(), np.random.get_state(),
                  torch.get_rng_state())
        try:
            # the training wrapper: Omega in the run's precision (autocast,
            # fp16 loss scale); a GAN-style wrapper dict has no single one
            wrapper = getattr(runner, 'optim_wrapper', None)
            if not isinstance(wrapper, OptimWrapper):
                wrapper = None
            model.estimate_importance(self._batches(runner), wrapper)
        finally:
            random.setstate(states[0])
            np.random.set_state(states[1])
            torch.set_rng_state(states[2])
        omega = torch.cat([w.reshape(-1) for w in model.anchor.omega])
        print_log(f'importance (Omega) estimated on {self.num_batches} '
                  f'batches: mean {omega.mean():.3e}, max {omega.max():.3e}',
                  logger='current')
