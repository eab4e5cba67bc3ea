"""Training data whose random choices are a function of (seed, draw).

A *draw* is the position of a sample in the sampler's global stream (all
processes together: process r of W takes draws r, r + W, ...). The samplers
here yield :class:`DrawIndex` (an ``int``, so every dataset can use it as an
index), and the datasets here run their pipeline with python's, numpy's and
torch's global generators seeded from (sampler seed, draw) and restored
afterwards. So the crop, the flips and the degradation parameters of a draw
do not depend on which worker loads it, on how many samples were loaded
before, nor on the number of processes; and a resumed run can jump to draw
``n`` without loading the ``n`` samples before it (see
:class:`FastResumeIterBasedTrainLoop`).

Why not mmengine's samplers and worker seeding: mmengine seeds each worker
once, so a sample's augmentation depends on everything that worker loaded
before it, and the only way to reproduce it after a resume is to replay the
whole data stream (mmengine issues 1520, 1633).
"""
import itertools
import random
from contextlib import contextmanager
from typing import Iterator

import numpy as np
import torch
from mmengine.dataset import InfiniteSampler

from mmdiffir.registry import DATA_SAMPLERS


class DrawIndex(int):
    """A dataset index that also carries its draw number and the sampler's
    seed (survives pickling to dataloader workers)."""

    def __new__(cls, index: int, draw: int, seed: int):
        obj = super().__new__(cls, index)
        obj.draw, obj.seed = int(draw), int(seed)
        return obj

    def __reduce__(self):
        return DrawIndex, (int(self), self.draw, self.seed)


@contextmanager
def seeded_by_draw(index):
    """Seed python's, numpy's and torch's global generators from a
    :class:`DrawIndex` for the duration of the block (and put the previous
    states back); a plain index leaves them alone."""
    if not isinstance(index, DrawIndex):
        yield
        return
    words = np.random.SeedSequence([index.seed, index.draw]).generate_state(4)
    states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    random.seed(int(words[0]))
    np.random.seed(words[1:3])
    torch.manual_seed(int(words[3]))
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])


class DrawKeyedDataset:
    """Mixin for datasets (before their base class): ``__getitem__`` with a
    :class:`DrawIndex` runs under :func:`seeded_by_draw`. The mixin's
    presence (``draw_keyed``) tells the training loop that skipping draws
    without loading them keeps the data exact."""
    draw_keyed = True

    def __getitem__(self, idx):
        with seeded_by_draw(idx):
            return super().__getitem__(int(idx))


class FastForwardSampler:
    """Mixin for infinite samplers that yield the draws of a global stream:
    ``_global_stream()`` yields dataset indices forever; this yields this
    process's share as :class:`DrawIndex`, starting at the global draw set
    by :meth:`fast_forward`. Each ``iter()`` starts again there, so the
    loop can rebuild its dataloader iterator after a fast-forward."""
    start_draw = 0

    def _global_stream(self) -> Iterator[int]:
        # A sampler class that mixes this in without defining its stream
        # would otherwise fail later with an unhelpful AttributeError.
        raise TypeError(
            f'{type(self).__name__} mixes in FastForwardSampler but does not '
            'define _global_stream() (the global stream of dataset indices '
            'that the fast-forward skips along)')

    def fast_forward(self, global_draws: int) -> None:
        """The next ``iter()`` starts at global draw ``global_draws``."""
        self.start_draw = int(global_draws)

    def __iter__(self) -> Iterator[DrawIndex]:
        draws = itertools.islice(self._global_stream(), self.start_draw, None)
        for n, idx in enumerate(draws, self.start_draw):
            if n % self.world_size == self.rank:
                yield DrawIndex(idx, n, self.seed)


@DATA_SAMPLERS.register_module()
class KeyedInfiniteSampler(FastForwardSampler, InfiniteSampler):
    """mmengine's ``InfiniteSampler`` (the same order of indices: a shuffled
    pass after another from ``seed``) yielding :class:`DrawIndex` and able
    to fast-forward. Skipping whole passes costs one ``randperm`` each."""

    def __init__(self, dataset, shuffle: bool = True, seed=None):
        super().__init__(dataset, shuffle=shuffle, seed=seed)
        self.indices = None  # the base class's shared one-shot generator

    def _global_stream(self) -> Iterator[int]:
        g = torch.Generator().manual_seed(self.seed)
        while True:
            yield from (torch.randperm(self.size, generator=g).tolist()
                        if self.shuffle else range(self.size))

    def __iter__(self):
        return FastForwardSampler.__iter__(self)
