"""Property tests (hypothesis): every degradation keeps its output contract
on arbitrary image sizes, contents and parameters; the paired loader either
pairs exactly the common keys or names an unmatched file; the multi-task
sampler never draws an inactive task."""
import itertools
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmdiffir.datasets import (MultiTaskDataset, MultiTaskSampler,
                               PairedImageDataset)
from mmdiffir.datasets.multi_task_dataset import tasks_of_stage
from mmdiffir.datasets.transforms import Snow
from tests.test_datasets.test_degradations import (  # noqa: F401
    CLASSES, build, kernel_file)  # kernel_file: a fixture, used by name

FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
CLASSES = {**CLASSES, 'Snow': Snow}

images = st.tuples(
    st.integers(8, 48), st.integers(8, 48), st.sampled_from([None, 1, 3]),
    st.sampled_from(['uint8', 'float32']), st.integers(0, 2**31 - 1)).map(
        lambda a: _image(*a))


def _image(h, w, channels, dtype, seed):
    shape = (h, w) if channels is None else (h, w, channels)
    img = np.random.default_rng(seed).uniform(0, 255, shape)
    return img.astype(dtype)


@FUZZ
@given(name=st.sampled_from(sorted(CLASSES)), img=images,
       seed=st.integers(0, 2**31 - 1))
def test_degradations_keep_their_contract(name, img, seed, kernel_file):
    make = (lambda **kw: Snow(**kw)) if name == 'Snow' else \
        (lambda **kw: build(name, kernel_file, **kw))
    sample = dict(gt=img.copy(), key='fuzz/x', gt_path='/x.png')
    out = make(seed=seed)(dict(sample))['img']
    scale = 2 if name == 'BicubicDownsample' else 1
    assert out.shape[:2] == (img.shape[0] // scale, img.shape[1] // scale)
    assert out.shape[2:] == img.shape[2:]
    assert out.dtype == np.float32 and np.isfinite(out).all()
    assert out.min() >= 0 and out.max() <= 255
    again = make(seed=seed)(dict(sample))['img']
    np.testing.assert_array_equal(out, again)


@FUZZ
@given(inputs=st.sets(st.integers(0, 30), max_size=6),
       targets=st.sets(st.integers(0, 30), max_size=6))
def test_paired_loader_pairs_or_names_the_orphan(inputs, targets, tmp_path,
                                                 save_rgb, real_photos):
    root = tmp_path / f'set_{len(os.listdir(tmp_path))}'
    for side, keys in (('input', inputs), ('target', targets)):
        (root / side).mkdir(parents=True)
        for k in keys:
            save_rgb(root / side / f'{k:03d}.png', real_photos[0][:8, :8])
    if inputs and inputs == targets:
        ds = PairedImageDataset(data_root=str(root), pipeline=[])
        assert sorted(os.path.basename(d['gt_path']) for d in ds) == \
            sorted(f'{k:03d}.png' for k in targets)
        return
    with pytest.raises((FileNotFoundError, ValueError)) as err:
        PairedImageDataset(data_root=str(root), pipeline=[])
    if not inputs or not targets:  # an empty side: its folder is named
        side = 'input' if not inputs else 'target'
        assert str(root / side) in str(err.value)
    else:  # some key without its partner: one of them is named
        assert any(f'{k:03d}' in str(err.value) for k in inputs ^ targets)


class _Sized:
    """A stand-in dataset of n items (the sampler only needs lengths)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


@FUZZ
@given(tasks=st.lists(st.tuples(st.integers(0, 50), st.integers(1, 5),
                                st.floats(0.1, 5)), min_size=1, max_size=5),
       batch=st.integers(1, 4), seed=st.integers(0, 1000),
       data=st.data())
def test_sampler_draws_only_active_tasks(tasks, batch, seed, data):
    ds = MultiTaskDataset([
        dict(name=f't{i}', t_mat=t, ratio=r, dataset=_Sized(n))
        for i, (t, n, r) in enumerate(tasks)])
    levels = len({t for t, _, _ in tasks})
    stage_iters = data.draw(st.lists(st.integers(1, 3), min_size=levels,
                                     max_size=levels))
    sampler = MultiTaskSampler(ds, batch_size=batch, stage_iters=stage_iters,
                               seed=seed)
    iters = sum(stage_iters) + 2
    draws = list(itertools.islice(iter(sampler), iters * batch))
    for i in range(iters):
        stage = sampler.stage_at(i)
        allowed = set(tasks_of_stage(ds.t_mats, stage))
        for idx in draws[i * batch:(i + 1) * batch]:
            assert ds.locate(idx)[0] in allowed
