"""MultiTaskDataset tags every sample with its task and t_mat; the
MultiTaskSampler follows the task ratios and the incremental stages exactly,
the same way for any number of processes; the tags reach the model."""
import collections
import itertools

import pytest
import torch
from mmengine.dataset import pseudo_collate

from mmdiffir.datasets import MultiTaskDataset, MultiTaskSampler

DEGRADE = dict(noise=dict(type='AddGaussianNoise', sigma=25),
               rain=dict(type='RainStreaks'), haze=dict(type='Haze'))


@pytest.fixture
def photo_dir(tmp_path, real_photos, save_rgb):
    for i, img in enumerate(real_photos):
        save_rgb(tmp_path / 'photos' / f'p{i}.png', img[:48, :48])
    return tmp_path / 'photos'


def _task(photo_dir, name, ratio=1.0, **kw):
    """A task dict as configs write it: t_mat from the table by name
    unless ``kw`` sets ``t_mat`` (override) or ``degradation``."""
    degrade = DEGRADE[kw.get('degradation', name)]
    return dict(name=name, ratio=ratio, **kw,
                dataset=dict(type='CleanImageDataset', data_root=str(photo_dir),
                             pipeline=[
                                 dict(type='LoadImageFromFile', key='gt',
                                      color_type='color', channel_order='rgb',
                                      imdecode_backend='cv2'),
                                 degrade, dict(type='PackInputs')]))


def _dataset(photo_dir, names=('noise', 'rain', 'haze'), ratios=None):
    ratios = ratios or [1.0] * len(names)
    return MultiTaskDataset(
        [_task(photo_dir, n, r) for n, r in zip(names, ratios)])


def test_samples_carry_task_and_t_mat(photo_dir, registered):
    ds = _dataset(photo_dir)
    per_task = ds.task_size(0)
    assert len(ds) == 3 * per_task
    for idx, (name, t_mat) in [(0, ('noise', 4)), (per_task, ('rain', 8)),
                               (len(ds) - 1, ('haze', 47))]:
        sample = ds[idx]['data_samples']
        assert (sample.metainfo['task'], sample.metainfo['t_mat']) == \
            (name, t_mat)
        assert ds.locate(idx)[0] == ds.task_names.index(name)
    assert ds.metainfo['t_mats'] == [4, 8, 47]


def test_t_mat_from_the_table_unless_the_task_sets_it(photo_dir,
                                                      registered):
    ds = MultiTaskDataset([
        _task(photo_dir, 'SOTS', degradation='haze'),  # a data set's name
        _task(photo_dir, 'rain', t_mat=23),  # explicit override
        _task(photo_dir, 'noise')
    ])
    assert ds.t_mats == [47, 23, 4]
    assert ds[ds.offsets[1]]['data_samples'].metainfo['t_mat'] == 23
    with pytest.raises(KeyError, match="'Rain100L'.*unknown task 'Rain100L'"
                       '.*noise, rain, jpeg, snow, inpainting, raindrop, '
                       'shadow, lowlight, haze, blur'):
        MultiTaskDataset([dict(_task(photo_dir, 'rain'), name='Rain100L')])


def test_bad_task_configs_name_the_key(photo_dir, registered):
    with pytest.raises(KeyError, match='tasks\\[0\\].*ration'):
        MultiTaskDataset([{**_task(photo_dir, 'noise'), 'ration': 2}])
    with pytest.raises(ValueError, match='unique'):
        MultiTaskDataset([_task(photo_dir, 'noise'), _task(photo_dir,
                                                           'noise')])
    with pytest.raises(ValueError, match='rain.*ratio'):
        MultiTaskDataset([_task(photo_dir, 'rain', ratio=0)])
    empty = photo_dir.parent / 'empty'
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match='empty'):
        MultiTaskDataset([dict(_task(empty, 'noise'))])
    with pytest.raises(TypeError, match='PackInputs'):
        task = _task(photo_dir, 'noise')
        task['dataset']['pipeline'].pop()
        MultiTaskDataset([task])[0]


def _draws(sampler, n):
    return list(itertools.islice(iter(sampler), n))


def test_sampler_follows_ratios_and_covers_each_task(photo_dir, registered):
    ds = _dataset(photo_dir, ratios=[1.0, 2.0, 1.0])
    sampler = MultiTaskSampler(ds, batch_size=4, seed=0)
    draws = _draws(sampler, 8000)
    freq = collections.Counter(ds.locate(i)[0] for i in draws)
    assert abs(freq[1] / len(draws) - 0.5) < 0.02
    assert abs(freq[0] / len(draws) - 0.25) < 0.02
    # within a task: each sample once per pass over that task
    first = [i for i in draws if ds.locate(i)[0] == 0][:ds.task_size(0)]
    assert sorted(first) == list(range(ds.task_size(0)))
    assert _draws(MultiTaskSampler(ds, batch_size=4, seed=0), 50) == \
        draws[:50]


def test_uniform_sampling_is_uniform_over_samples(photo_dir, tmp_path,
                                                  real_photos, save_rgb,
                                                  registered):
    """'uniform' draws every sample of the active tasks equally often (a
    shuffled concatenation), so a task is seen in proportion to its size;
    'ratio' ignores the sizes."""
    small = tmp_path / 'one_photo'
    save_rgb(small / 'p0.png', real_photos[0][:48, :48])
    ds = MultiTaskDataset([_task(photo_dir, 'noise'), _task(small, 'rain')])
    big, one = ds.task_size(0), ds.task_size(1)
    assert big > one == 1
    draws = _draws(MultiTaskSampler(ds, batch_size=4, seed=0,
                                    sampling='uniform'), 8000)
    freq = collections.Counter(draws)
    expected = 8000 / len(ds)
    assert all(abs(freq[i] - expected) < 0.1 * expected
               for i in range(len(ds)))
    by_ratio = collections.Counter(ds.locate(i)[0] for i in _draws(
        MultiTaskSampler(ds, batch_size=4, seed=0), 8000))
    assert abs(by_ratio[1] / 8000 - 0.5) < 0.02
    with pytest.raises(ValueError, match='sampling'):
        MultiTaskSampler(ds, batch_size=4, sampling='concat')


def test_stages_switch_exactly_at_their_iterations(photo_dir, registered):
    # rain (t 8) is listed first; haze (47) and noise (4) follow: the order
    # is by t_mat, not by the list
    ds = _dataset(photo_dir, names=('rain', 'haze', 'noise'))
    sampler = MultiTaskSampler(ds, batch_size=3, stage_iters=[2, 3, 4],
                               seed=1)
    assert sampler.boundaries == [0, 2, 5]
    assert sampler.stage_task_names() == [['noise'], ['rain'], ['haze']]
    draws = _draws(sampler, 3 * 12)
    seen = [{ds.task_names[ds.locate(i)[0]] for i in draws[3 * it:3 * it + 3]}
            for it in range(12)]
    assert all(s == {'noise'} for s in seen[:2])
    assert all(s <= {'noise', 'rain'} for s in seen[2:5])
    assert 'rain' in set().union(*seen[2:5])
    assert 'haze' in set().union(*seen[5:])
    with pytest.raises(ValueError, match='stage_iters must hold 3'):
        MultiTaskSampler(ds, batch_size=3, stage_iters=[2, 3])


def test_two_processes_see_the_single_process_batches(photo_dir, registered):
    """Rank r of W takes draws r, r+W, ...: iteration i of a 2-process run
    with batch 2 trains the samples of iteration i of one process with
    batch 4, stages included."""
    ds = _dataset(photo_dir)
    one = MultiTaskSampler(ds, batch_size=4, stage_iters=[1, 1, 2], seed=3)
    ranks = []
    for r in range(2):
        s = MultiTaskSampler(ds, batch_size=2, stage_iters=[1, 1, 2], seed=3)
        s.rank, s.world_size = r, 2
        ranks.append(_draws(s, 2 * 6))
    single = _draws(one, 4 * 6)
    for it in range(6):
        both = ranks[0][2 * it:2 * it + 2] + ranks[1][2 * it:2 * it + 2]
        assert sorted(both) == sorted(single[4 * it:4 * it + 4])


def test_task_tags_reach_the_model(photo_dir, registered):
    """Through collate and the data preprocessor, each sample is restored
    at its own task's t_mat."""
    from tests.test_models.eedtp_fixtures import tiny_restorer
    ds = _dataset(photo_dir)
    sampler = MultiTaskSampler(ds, batch_size=6, seed=0)
    loader = torch.utils.data.DataLoader(ds, batch_size=6, sampler=sampler,
                                         collate_fn=pseudo_collate)
    batch = next(iter(loader))
    expected = [ds.t_mats[ds.locate(i)[0]]
                for i in _draws(MultiTaskSampler(ds, 6, seed=0), 6)]
    model = tiny_restorer()
    seen = []
    original = model.restore
    model.restore = lambda x, t: seen.append(t.tolist()) or original(x, t)
    data = model.data_preprocessor(batch, True)
    model.compute_gradients(data['inputs'], data['data_samples'],
                            model.trainable_params(), use_diffusion=False)
    assert seen == [expected]
    assert len(set(expected)) > 1
