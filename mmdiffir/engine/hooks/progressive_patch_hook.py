"""Progressive patch sizes (Restormer / DiffIR deblur training)."""
from typing import Sequence

import numpy as np
import torch
from mmengine.dist import get_dist_info
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmdiffir.registry import HOOKS


@HOOKS.register_module()
class ProgressivePatchHook(Hook):
    """Train on smaller batches of larger patches as training goes on, as the
    released DiffIR deblur recipes do (``mini_batch_sizes``, ``gt_sizes``
    and ``iters`` of ``train_DiffIRS{1,2}.yml``): stage k lasts ``iters[k]``
    iterations and trains ``batch_sizes[k]`` samples of
    ``patch_sizes[k]``x``patch_sizes[k]`` pixels.

    The loader must deliver the largest setting (``batch_size`` =
    ``max(batch_sizes)`` per process, crops of ``max(patch_sizes)``); before
    every step this hook keeps a random subset of the batch and one random
    window, the same for every kept sample and for input and GT, as the
    reference's training loop does. Its choices are a function of (seed,
    iteration, rank), so a resumed run crops as the uninterrupted one did.

    Why a hook: mmengine's loaders fix the batch size and mmagic's
    ``PairedRandomCrop`` one patch size when they are built, and the batch
    must shrink between loader and model; ``before_train_iter`` receives the
    batch the model then trains on, so the hook edits it in place.
    """
    priority = 'HIGH'

    def __init__(self, iters: Sequence[int], patch_sizes: Sequence[int],
                 batch_sizes: Sequence[int], seed: int = 0):
        if not (len(iters) == len(patch_sizes) == len(batch_sizes) > 0):
            raise ValueError(
                'ProgressivePatchHook: iters, patch_sizes and batch_sizes '
                f'need one entry per stage, got {len(iters)}, '
                f'{len(patch_sizes)} and {len(batch_sizes)}')
        for name, values in (('iters', iters), ('patch_sizes', patch_sizes),
                             ('batch_sizes', batch_sizes)):
            if any(int(v) != v or v <= 0 for v in values):
                raise ValueError(f'ProgressivePatchHook: {name} must be '
                                 f'positive integers, got {list(values)}')
        self.ends = np.cumsum([int(i) for i in iters])
        self.patch_sizes = [int(p) for p in patch_sizes]
        self.batch_sizes = [int(b) for b in batch_sizes]
        self.seed = int(seed)

    def stage_at(self, iteration: int) -> int:
        """Stage of the 0-based iteration; after the last stage the last
        setting stays (the reference's loop does the same)."""
        later = np.nonzero(iteration < self.ends)[0]
        return int(later[0]) if len(later) else len(self.ends) - 1

    def setting_at(self, iteration: int) -> tuple:
        k = self.stage_at(iteration)
        return self.batch_sizes[k], self.patch_sizes[k]

    def before_train(self, runner) -> None:
        plan = ', '.join(
            f'{b}x{p}px until iter {e}' for b, p, e in
            zip(self.batch_sizes, self.patch_sizes, self.ends))
        print_log(f'progressive patches: {plan}', logger='current')

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        if data_batch is None:
            return
        self.crop_batch(data_batch, runner.iter)

    def crop_batch(self, data_batch: dict, iteration: int) -> None:
        """Shrink ``data_batch`` (lists ``inputs`` and ``data_samples`` with
        ``gt_img``, as mmagic's ``PackInputs`` + collate give) in place."""
        inputs, samples = data_batch['inputs'], data_batch['data_samples']
        batch, size = self.setting_at(iteration)
        have = len(inputs)
        h, w = inputs[0].shape[-2:]
        if have < batch or min(h, w) < size:
            raise ValueError(
                f'ProgressivePatchHook: iteration {iteration} trains '
                f'{batch} patches of {size}px, but the loader gave {have} of '
                f'{h}x{w}; set the loader batch_size to {max(self.batch_sizes)} '
                f'and its crop to {max(self.patch_sizes)}')
        rank, _ = get_dist_info()
        g = torch.Generator().manual_seed(int(np.random.SeedSequence(
            [self.seed, int(iteration), rank]).generate_state(1)[0]))
        keep = torch.randperm(have, generator=g)[:batch].sort().values
        top = int(torch.randint(0, h - size + 1, (1, ), generator=g))
        left = int(torch.randint(0, w - size + 1, (1, ), generator=g))
        window = (Ellipsis, slice(top, top + size), slice(left, left + size))
        new_inputs, new_samples = [], []
        for i in keep.tolist():
            gt = samples[i].gt_img
            if gt.shape[-2:] != inputs[i].shape[-2:]:
                raise ValueError(
                    'ProgressivePatchHook crops input and GT at one window, '
                    f'so they must be the same size; sample {i} has input '
                    f'{tuple(inputs[i].shape)} and GT {tuple(gt.shape)}')
            new_inputs.append(inputs[i][window].contiguous())
            samples[i].gt_img = gt[window].contiguous()
            new_samples.append(samples[i])
        inputs[:] = new_inputs
        samples[:] = new_samples
