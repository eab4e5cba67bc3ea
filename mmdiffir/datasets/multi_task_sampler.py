"""Infinite task-ratio sampler with an optional incremental task schedule.

Why not mmengine's ``InfiniteSampler`` + a weighted sampler: the incremental
schedule (EEDTP MTUL, METHODS.md §1.6) changes the task set at given
*iterations*, and a dataloader with workers prefetches indices before the
iteration they belong to, so a hook that switched the task set at the
boundary would leak a few old-stage batches into the new stage (and
differently for different worker counts). Here the task set is a pure
function of the draw number, so stage ``k`` starts exactly at its first
iteration for any ``num_workers`` and after any resume.
"""
import bisect
from typing import Iterator, List, Optional, Sequence

import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmdiffir.registry import DATA_SAMPLERS
from .keyed_draws import FastForwardSampler
from .multi_task_dataset import (MultiTaskDataset, as_stage_iters,
                                 stage_groups, tasks_of_stage)


@DATA_SAMPLERS.register_module()
class MultiTaskSampler(FastForwardSampler, Sampler):
    """Draws ``(task, sample)`` pairs forever: a task among the active ones,
    then the next sample of that task's own shuffled order (every sample
    once per pass over its task).

    Two ways to pick the task (``sampling``):

    * ``'uniform'``: with probability proportional to ``ratio * size`` (its
      number of samples): with the default ratios 1 every sample of the
      active tasks is equally likely, as with the shuffled concatenation of
      the task datasets that the reference trains on (a larger dataset is
      seen more often); a ratio then scales how much one task's samples
      count (e.g. 1/3 for each of three noise levels built from the same
      clean images). The MTUL configs' default.
    * ``'ratio'``: with probability proportional to ``ratio`` alone,
      whatever the dataset sizes (balanced all-in-one training).

    Args:
        dataset (MultiTaskDataset): the tasks.
        batch_size (int): the dataloader's per-process batch size (the same
            number as ``train_dataloader.batch_size``; the
            :class:`IncrementalScheduleHook` checks it): it maps a draw to
            its iteration.
        stage_iters (list[int], optional): incremental schedule, one length
            per distinct t_mat in ascending order: stage k trains the tasks of
            the k+1 smallest t_mats; after the last stage all tasks stay
            active. None: every task from the start (plain all-in-one).
        seed (int, optional): shared by all processes (mmengine syncs it).
        sampling (str): 'ratio' (default of the class) or 'uniform' (see
            above).

    Distributed: one global stream of draws; process ``r`` of ``W`` takes
    draws ``r, r + W, ...``. Iteration ``i`` of a W-process run therefore
    trains on the same samples as iteration ``i`` of one process with batch
    ``W * batch_size``. Draws are yielded as ``DrawIndex`` (keyed pipeline
    randomness, fast resume: see ``keyed_draws``).
    """

    def __init__(self,
                 dataset: MultiTaskDataset,
                 batch_size: int,
                 stage_iters: Optional[Sequence[int]] = None,
                 seed: Optional[int] = None,
                 sampling: str = 'ratio'):
        if not isinstance(dataset, MultiTaskDataset):
            raise TypeError('MultiTaskSampler needs a MultiTaskDataset, got '
                            f'{type(dataset).__name__}')
        if int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f'MultiTaskSampler: batch_size must be a '
                             f'positive integer, got {batch_size!r}')
        if sampling not in ('ratio', 'uniform'):
            raise ValueError('MultiTaskSampler: sampling must be "ratio" or '
                             f'"uniform", got {sampling!r}')
        self.sampling = sampling
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.stage_iters = as_stage_iters(stage_iters, dataset.t_mats)
        # first iteration ([0] when not incremental) and active tasks of
        # each stage, fixed from here on
        self.boundaries = [0]
        for n in self.stage_iters[:-1]:
            self.boundaries.append(self.boundaries[-1] + n)
        self._active = [
            tasks_of_stage(dataset.t_mats, k)
            for k in range(len(self.stage_iters))
        ] or [list(range(len(dataset.task_names)))]
        self.rank, self.world_size = get_dist_info()
        self.seed = sync_random_seed() if seed is None else int(seed)

    # ------------------------------------------------------------ schedule
    @property
    def incremental(self) -> bool:
        return bool(self.stage_iters)

    @property
    def num_stages(self) -> int:
        return len(self.stage_iters) or 1

    def stage_at(self, iteration: int) -> int:
        """0-based stage that trains ``iteration``."""
        return bisect.bisect_right(self.boundaries, iteration) - 1

    def tasks_at(self, iteration: int) -> List[int]:
        """Indices of the tasks active at ``iteration``."""
        return self._active[self.stage_at(iteration)]

    def stage_task_names(self) -> List[List[str]]:
        """Task names newly introduced by each stage."""
        groups = stage_groups(self.dataset.t_mats) if self.incremental \
            else [list(range(len(self.dataset.task_names)))]
        return [[self.dataset.task_names[i] for i in g] for g in groups]

    # ------------------------------------------------------------- drawing
    def _global_draws(self) -> Iterator[int]:
        g = torch.Generator().manual_seed(self.seed)
        ds = self.dataset
        orders = [torch.randperm(ds.task_size(k), generator=g).tolist()
                  for k in range(len(ds.task_names))]
        cursors = [0] * len(orders)
        ratios = torch.tensor(ds.ratios, dtype=torch.float64)
        if self.sampling == 'uniform':  # every sample equally likely
            ratios = ratios * torch.tensor(
                [ds.task_size(k) for k in range(len(ds.task_names))],
                dtype=torch.float64)
        stage_probs = []  # ratios of the active tasks, 0 elsewhere
        for active in self._active:
            probs = torch.zeros_like(ratios)
            probs[active] = ratios[active]
            stage_probs.append(probs)
        global_batch = self.batch_size * self.world_size
        n = 0
        while True:
            probs = stage_probs[self.stage_at(n // global_batch)]
            k = int(torch.multinomial(probs, 1, generator=g))
            if cursors[k] == len(orders[k]):  # a new pass over task k
                orders[k] = torch.randperm(len(orders[k]),
                                           generator=g).tolist()
                cursors[k] = 0
            yield ds.offsets[k] + orders[k][cursors[k]]
            cursors[k] += 1
            n += 1

    _global_stream = _global_draws  # FastForwardSampler yields the shares

    def __len__(self) -> int:
        return len(self.dataset)

    def set_epoch(self, epoch: int) -> None:
        """Infinite: nothing changes per epoch (mmengine may call it)."""
