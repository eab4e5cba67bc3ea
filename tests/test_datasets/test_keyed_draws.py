"""Data random choices keyed by (seed, draw) and samplers that fast-forward:
what makes a resume skip the trained data without loading it and still be
exact (the kill-and-resume tests check the whole runs)."""
import itertools
import pickle
import random

import numpy as np
import pytest
import torch
from mmengine.dataset import InfiniteSampler
from mmengine.runner import Runner

from mmdiffir.datasets import (CleanImageDataset, DrawIndex,
                               KeyedInfiniteSampler)
from tests.helpers import tiny_train_cfg
from tests.test_datasets.test_multi_task import _dataset, photo_dir  # noqa: F401,E501

PIPELINE = [
    dict(type='LoadImageFromFile', key='gt', color_type='color',
         channel_order='rgb', imdecode_backend='cv2'),
    dict(type='Crop', keys=['gt'], crop_size=(32, 32), random_crop=True),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='horizontal'),
    dict(type='AddGaussianNoise', sigma=(5, 50)),
    dict(type='PackInputs'),
]


class _Sized:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


def _ranked(sampler, rank, world):
    sampler.rank, sampler.world_size = rank, world
    return sampler


def test_keyed_sampler_keeps_mmengine_order_and_numbers_the_draws():
    ds = _Sized(7)
    ref = list(itertools.islice(InfiniteSampler(ds, seed=3), 30))
    got = list(itertools.islice(KeyedInfiniteSampler(ds, seed=3), 30))
    assert got == ref
    assert [d.draw for d in got] == list(range(30))
    assert all(d.seed == 3 for d in got)
    # two processes share one global stream: rank r gets draws r, r + 2, ...
    r1 = list(itertools.islice(_ranked(KeyedInfiniteSampler(ds, seed=3), 1,
                                       2), 15))
    assert [d.draw for d in r1] == list(range(1, 30, 2))
    assert r1 == ref[1::2]


def test_fast_forward_starts_at_the_draw_and_every_iter_restarts_there():
    ds = _Sized(5)
    sampler = KeyedInfiniteSampler(ds, seed=9)
    full = list(itertools.islice(sampler, 40))
    sampler.fast_forward(23)
    for _ in range(2):  # a second iter() starts there again
        got = list(itertools.islice(sampler, 10))
        assert got == full[23:33]
        assert [d.draw for d in got] == list(range(23, 33))


def test_multitask_sampler_fast_forwards_like_skipping(registered,
                                                      photo_dir):
    from mmdiffir.datasets import MultiTaskSampler
    ds = _dataset(photo_dir)
    sampler = MultiTaskSampler(ds, batch_size=2, stage_iters=None, seed=5)
    full = list(itertools.islice(sampler, 30))
    sampler.fast_forward(11)
    got = list(itertools.islice(sampler, 10))
    assert got == full[11:21] and [d.draw for d in got] == list(range(11, 21))


def test_draw_index_survives_pickling():
    d = pickle.loads(pickle.dumps(DrawIndex(4, 1000, 7)))
    assert (int(d), d.draw, d.seed) == (4, 1000, 7) and isinstance(d,
                                                                   DrawIndex)


def test_a_draw_gets_the_same_crop_flip_and_noise_whatever_came_before(
        registered, data_tree):
    ds = CleanImageDataset(data_root=str(data_tree / 'train'),
                           data_prefix=dict(gt='T91'), pipeline=PIPELINE)
    np.random.seed(0)
    random.seed(0)
    a = ds[DrawIndex(2, 50, 1)]
    for _ in range(3):
        ds[0]  # plain index: draws from (and moves) the global streams
    state = np.random.get_state()[1].copy(), random.getstate()
    torch_state = torch.get_rng_state()
    b = ds[DrawIndex(2, 50, 1)]
    # keyed loading leaves the global streams as it found them
    assert np.array_equal(np.random.get_state()[1], state[0])
    assert random.getstate() == state[1]
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert torch.equal(a['inputs'], b['inputs'])
    assert torch.equal(a['data_samples'].gt_img.data,
                       b['data_samples'].gt_img.data)
    c = ds[DrawIndex(2, 51, 1)]  # the same image at another draw
    assert not torch.equal(a['inputs'], c['inputs'])
    d = ds[DrawIndex(2, 50, 2)]  # another sampler seed
    assert not torch.equal(a['inputs'], d['inputs'])


class _CountLoads:
    def __init__(self, dataset):
        self.calls = 0
        original = type(dataset).__getitem__

        def counted(ds, idx):
            self.calls += 1
            return original(ds, idx)
        self.patch = pytest.MonkeyPatch()
        self.patch.setattr(type(dataset), '__getitem__', counted)


def test_resume_loads_only_the_batches_it_trains(tmp_path, registered):
    """The default loop of the configs resumes at iteration 3 of 5 by
    moving the sampler, loading only the 2 x batch samples it trains on
    (mmengine's loop would load 3 more batches first)."""
    cfg = tiny_train_cfg(tmp_path, max_iters=3, ckpt_interval=3)
    assert cfg.train_cfg.type == 'FastResumeIterBasedTrainLoop'
    assert cfg.train_dataloader.sampler.type == 'KeyedInfiniteSampler'
    Runner.from_cfg(cfg).train()
    cfg = tiny_train_cfg(tmp_path, max_iters=5, ckpt_interval=5)
    cfg.resume, cfg.load_from = True, str(tmp_path / 'iter_3.pth')
    runner = Runner.from_cfg(cfg)
    counter = _CountLoads(runner.train_dataloader.dataset)
    try:
        runner.train()
    finally:
        counter.patch.undo()
    assert runner.iter == 5
    assert counter.calls == 2 * cfg.train_dataloader.batch_size


def test_fast_resume_with_workers_equals_the_uninterrupted_run(
        tmp_path, registered):
    """Two dataloader workers (each with its own numpy stream): a run
    resumed at iteration 2 by fast-forward ends with the same weights as
    an uninterrupted one (the kill-and-resume tests do this without
    workers)."""
    import torch

    from mmdiffir.utils import safe_torch_load

    def cfg(work, iters):
        c = tiny_train_cfg(work, max_iters=iters, ckpt_interval=2)
        c.train_dataloader.num_workers = 2
        return c
    from mmengine.hooks import Hook

    class StopAt2(Hook):  # the same config (schedule) as the full run
        priority = 'LOWEST'

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            if runner.iter + 1 == 2:  # runner.iter counts done iterations
                runner.train_loop.stop_training = True

    Runner.from_cfg(cfg(tmp_path / 'full', 4)).train()
    cut = Runner.from_cfg(cfg(tmp_path / 'cut', 4))
    cut.register_hook(StopAt2())
    cut.train()
    assert cut.iter == 2
    resumed = cfg(tmp_path / 'cut', 4)
    resumed.resume, resumed.load_from = True, str(tmp_path / 'cut/iter_2.pth')
    Runner.from_cfg(resumed).train()
    a = safe_torch_load(tmp_path / 'full/iter_4.pth')['state_dict']
    b = safe_torch_load(tmp_path / 'cut/iter_4.pth')['state_dict']
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k


def test_sampler_without_a_global_stream_is_refused_by_name():
    """A sampler that mixes in FastForwardSampler without defining its
    stream raises a TypeError naming the class when iterated."""
    import pytest

    from mmdiffir.datasets.keyed_draws import FastForwardSampler

    class NoStreamSampler(FastForwardSampler):
        rank, world_size, seed = 0, 1, 0

    with pytest.raises(TypeError, match='NoStreamSampler.*_global_stream'):
        next(iter(NoStreamSampler()))
