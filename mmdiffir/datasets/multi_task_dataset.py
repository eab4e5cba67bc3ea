"""Several paired datasets as one task-tagged dataset (all-in-one training,
EEDTP MTUL, DiffUIR's mixed batches).

Why not mmengine's ``ConcatDataset``: it cannot tag samples with their task,
it asks all parts to share one metainfo, and its sampling is uniform over
samples while all-in-one training wants per-task ratios. Ratios and the
incremental task order are the sampler's job (:class:`MultiTaskSampler`), so
that they are decided in the main process, the same on every rank and for
any number of dataloader workers.
"""
import bisect
from typing import List, Sequence, Union

from mmengine.dataset import BaseDataset
from torch.utils.data import Dataset

from mmdiffir.registry import DATASETS
from mmdiffir.t_mat import t_mat_of
from .keyed_draws import seeded_by_draw

TASK_KEYS = ('name', 'degradation', 't_mat', 'dataset', 'ratio')


def task_t_mat(task: dict, owner: str = 'MultiTaskDataset'):
    """A task dict's t_mat: its explicit ``t_mat`` (an override) if set,
    else the table's (:mod:`mmdiffir.t_mat`) value of its ``degradation``,
    which defaults to its ``name``. An unknown name raises a KeyError naming
    the task and listing the table's names."""
    if task.get('t_mat') is not None:
        return task['t_mat']
    key = task.get('degradation', task.get('name'))
    return t_mat_of(key, f'{owner} task {task.get("name")!r}')


@DATASETS.register_module()
class MultiTaskDataset(Dataset):
    """The concatenation of one dataset per task; every sample's
    ``data_samples`` metainfo carries ``task`` (its name) and ``t_mat``.

    Args:
        tasks (list[dict]): one dict per task with keys ``name`` (str,
            unique; also the table key of its t_mat unless ``degradation``
            names another, e.g. ``name='SOTS', degradation='haze'``),
            optionally ``t_mat`` (int, the task's EEDTP time step; default:
            the table's, :mod:`mmdiffir.t_mat`, METHODS.md §1.3; set it to
            override the table), ``dataset`` (a dataset config or object whose pipeline
            ends with ``PackInputs``) and optionally ``ratio`` (float > 0,
            default 1: the task's relative sampling frequency under
            :class:`MultiTaskSampler`).

    Index ``i`` addresses task ``k`` and its sample ``i - offset[k]`` in the
    order of ``tasks``, so test loops with a sequential sampler see every
    sample of every task once.
    """

    def __init__(self, tasks: Sequence[dict]):
        if not tasks:
            raise ValueError('MultiTaskDataset: `tasks` is empty')
        self.task_names: List[str] = []
        self.t_mats: List[int] = []
        self.ratios: List[float] = []
        self.datasets: List[Dataset] = []
        for i, task in enumerate(tasks):
            self._add_task(i, dict(task))
        self.offsets = [0]
        for ds in self.datasets:
            self.offsets.append(self.offsets[-1] + len(ds))

    def _add_task(self, i: int, task: dict) -> None:
        unknown = sorted(set(task) - set(TASK_KEYS))
        missing = [k for k in ('name', 'dataset') if k not in task]
        if unknown or missing:
            raise KeyError(f'MultiTaskDataset: tasks[{i}] has unknown keys '
                           f'{unknown} / lacks {missing}; allowed keys: '
                           f'{list(TASK_KEYS)}')
        name = task['name']
        if not isinstance(name, str) or name in self.task_names:
            raise ValueError(f'MultiTaskDataset: tasks[{i}].name must be a '
                             f'unique string, got {name!r}')
        t_mat = task_t_mat(task)
        if isinstance(t_mat, bool) or int(t_mat) != t_mat or t_mat < 0:
            raise ValueError(f'MultiTaskDataset: tasks[{i}] ({name}).t_mat '
                             f'must be an integer >= 0, got {t_mat!r}')
        ratio = float(task.get('ratio', 1.0))
        if not ratio > 0:
            raise ValueError(f'MultiTaskDataset: tasks[{i}] ({name}).ratio '
                             f'must be > 0, got {ratio!r}')
        ds = task['dataset']
        ds = DATASETS.build(ds) if isinstance(ds, dict) else ds
        if len(ds) == 0:
            raise ValueError(f'MultiTaskDataset: task {name!r} has an empty '
                             f'dataset ({type(ds).__name__})')
        self.task_names.append(name)
        self.t_mats.append(int(t_mat))
        self.ratios.append(ratio)
        self.datasets.append(ds)

    @property
    def metainfo(self) -> dict:
        return dict(dataset_type='multi_task', task_names=self.task_names,
                    t_mats=self.t_mats, ratios=self.ratios)

    def __len__(self) -> int:
        return self.offsets[-1]

    def task_size(self, k: int) -> int:
        return len(self.datasets[k])

    def locate(self, idx: int) -> tuple:
        """``(task index, index inside that task's dataset)``."""
        if idx < 0:
            idx += len(self)
        if not 0 <= idx < len(self):
            raise IndexError(f'MultiTaskDataset: index {idx} out of range '
                             f'0..{len(self) - 1}')
        k = bisect.bisect_right(self.offsets, idx) - 1
        return k, idx - self.offsets[k]

    draw_keyed = True  # see keyed_draws: the whole sample under one seed

    def __getitem__(self, idx: int) -> dict:
        k, j = self.locate(idx)
        with seeded_by_draw(idx):  # j is a plain int: seeded once, here
            out = self.datasets[k][j]
        samples = out.get('data_samples') if isinstance(out, dict) else None
        if samples is None or not hasattr(samples, 'set_metainfo'):
            raise TypeError(
                f'MultiTaskDataset: task {self.task_names[k]!r} returned '
                f'{type(out).__name__} without a DataSample; its pipeline must '
                'end with PackInputs')
        samples.set_metainfo(dict(task=self.task_names[k],
                                  t_mat=self.t_mats[k]))
        return out

    def full_init(self) -> None:
        """mmengine calls this on datasets it wraps; forward it."""
        for ds in self.datasets:
            if isinstance(ds, BaseDataset):
                ds.full_init()


def stage_groups(t_mats: Sequence[int]) -> List[List[int]]:
    """Task indices grouped by t_mat, in ascending t_mat: stage k of the
    incremental schedule introduces group k (tasks of equal t_mat, e.g.
    several noise levels, enter together)."""
    levels = sorted(set(t_mats))
    return [[i for i, t in enumerate(t_mats) if t == lv] for lv in levels]


def tasks_of_stage(t_mats: Sequence[int], stage: int) -> List[int]:
    """Task indices active in ``stage`` (0-based): groups 0..stage."""
    groups = stage_groups(t_mats)
    return sorted(i for g in groups[:stage + 1] for i in g)


def as_stage_iters(stage_iters: Union[None, Sequence[int]],
                   t_mats: Sequence[int]) -> List[int]:
    """Validate ``stage_iters`` against the number of distinct t_mats."""
    if stage_iters is None:
        return []
    n = len(stage_groups(t_mats))
    stage_iters = [int(s) for s in stage_iters]
    if len(stage_iters) != n or any(s <= 0 for s in stage_iters):
        raise ValueError(
            f'stage_iters must hold {n} positive iteration counts, one per '
            f'distinct t_mat {sorted(set(t_mats))} (tasks of equal t_mat '
            f'enter together), got {stage_iters}')
    return stage_iters
