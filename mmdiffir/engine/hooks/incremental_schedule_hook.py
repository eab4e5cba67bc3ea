"""EEDTP MTUL's incremental multi-task schedule (METHODS.md §1.6)."""
from typing import Dict, List, Optional, Sequence, Union

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict
from mmengine.optim.scheduler.param_scheduler import \
    CosineRestartParamScheduler

from mmdiffir.datasets.multi_task_sampler import MultiTaskSampler
from mmdiffir.registry import HOOKS

STATE_KEY = 'incremental_schedule'


def _unwrap(model):
    return model.module if is_model_wrapper(model) else model


@HOOKS.register_module()
class IncrementalScheduleHook(Hook):
    """Stage transitions of incremental multi-task learning.

    The stages themselves (tasks introduced in ascending t_mat, stage k
    trains tasks 1..k) are drawn by the training loader's
    :class:`MultiTaskSampler` from its ``stage_iters``, because only the
    sampler can switch the task set exactly at an iteration (see its
    docstring). This hook does the rest at each stage's first iteration:

    - a fresh optimizer state (Adam moments dropped), when
      ``reset_optimizer``;
    - checks that the LR schedule restarts there (a ``CosineRestartLR``
      with ``periods=stage_iters`` gives a fresh cosine per stage), when
      ``require_lr_restart``;
    - sets ramped model attributes for the stage, e.g.
      ``ramps=dict({'pixel_loss.gen_prob': (0.0, 0.1)})``: a (first, last)
      pair is interpolated linearly over the stages, a list gives one value
      per stage ("progressively incorporates diffusion priors");
    - logs the stage and its tasks.

    Its state (plan and stage) is saved in the checkpoint's meta; a resumed
    run checks that the config still describes the same plan and stage.
    """
    priority = 'HIGH'  # before the loggers and the checkpoint hook

    def __init__(self,
                 reset_optimizer: bool = True,
                 require_lr_restart: bool = True,
                 ramps: Optional[Dict[str, Union[Sequence[float],
                                                 tuple]]] = None):
        self.reset_optimizer = reset_optimizer
        self.require_lr_restart = require_lr_restart
        self.ramps = dict(ramps or {})
        self.sampler: Optional[MultiTaskSampler] = None
        self._loaded: Optional[dict] = None
        self.stage = 0

    # ------------------------------------------------------------ helpers
    @staticmethod
    def find_sampler(runner) -> MultiTaskSampler:
        loader = runner.train_dataloader
        sampler = loader.sampler
        if not isinstance(sampler, MultiTaskSampler):
            sampler = getattr(loader.batch_sampler, 'sampler', None)
        if not isinstance(sampler, MultiTaskSampler):
            raise TypeError(
                'IncrementalScheduleHook needs train_dataloader.sampler = '
                "dict(type='MultiTaskSampler', batch_size=..., stage_iters="
                f'[...]), got {type(loader.sampler).__name__}')
        if not sampler.incremental:
            raise ValueError('IncrementalScheduleHook: train_dataloader.'
                             'sampler.stage_iters is not set, so there are '
                             'no stages')
        if sampler.batch_size != loader.batch_size:
            raise ValueError(
                f'train_dataloader.sampler.batch_size ({sampler.batch_size}) '
                f'must equal train_dataloader.batch_size '
                f'({loader.batch_size}): it maps draws to iterations')
        return sampler

    def ramp_values(self, name: str) -> List[float]:
        spec, n = self.ramps[name], self.sampler.num_stages
        if isinstance(spec, tuple) and len(spec) == 2:
            first, last = map(float, spec)
            return [first + (last - first) * k / max(n - 1, 1)
                    for k in range(n)]
        values = [float(v) for v in spec]
        if len(values) != n:
            raise ValueError(f'IncrementalScheduleHook: ramps[{name!r}] has '
                             f'{len(values)} values for {n} stages')
        return values

    def _apply_ramps(self, runner, stage: int) -> None:
        model = _unwrap(runner.model)
        for name in self.ramps:
            *path, attr = name.split('.')
            owner = model
            for part in path:
                owner = getattr(owner, part, None)
            if owner is None or not hasattr(owner, attr):
                raise AttributeError(
                    f'IncrementalScheduleHook: ramps key {name!r} is not an '
                    f'attribute of {type(model).__name__}')
            setattr(owner, attr, self.ramp_values(name)[stage])

    def _check_lr_restarts(self, runner) -> None:
        schedulers = runner.param_schedulers or []
        if isinstance(schedulers, dict):
            schedulers = [s for v in schedulers.values() for s in v]
        restarts = set()
        for s in schedulers:
            if isinstance(s, CosineRestartParamScheduler) and \
                    s.param_name == 'lr':
                restarts |= {s.begin + c for c in s.cumulative_periods}
        missing = [b for b in self.sampler.boundaries[1:]
                   if b not in restarts]
        if missing:
            raise ValueError(
                f'IncrementalScheduleHook: the LR schedule does not restart '
                f'at stage boundaries {missing}; use param_scheduler = '
                "dict(type='CosineRestartLR', by_epoch=False, periods="
                f'{self.sampler.stage_iters}, restart_weights=[1] * '
                f'{self.sampler.num_stages}, eta_min=...) (or set '
                'require_lr_restart=False)')

    def _reset_optimizer(self, runner) -> None:
        wrappers = runner.optim_wrapper.values() if isinstance(
            runner.optim_wrapper, OptimWrapperDict) else [runner.optim_wrapper]
        for wrapper in wrappers:
            wrapper.optimizer.state.clear()

    def state(self, iteration: int) -> dict:
        return dict(stage=self.sampler.stage_at(iteration),
                    stage_iters=list(self.sampler.stage_iters),
                    tasks=self.sampler.stage_task_names())

    # -------------------------------------------------------------- hooks
    def before_train(self, runner) -> None:
        self.sampler = self.find_sampler(runner)
        for name in self.ramps:
            self.ramp_values(name)  # a malformed ramp fails before training
        if self.require_lr_restart:
            self._check_lr_restarts(runner)
        if self._loaded is not None and runner.iter > 0:
            now = self.state(runner.iter)
            if now != self._loaded:
                raise ValueError(
                    'IncrementalScheduleHook: the resumed checkpoint was '
                    f'trained with the schedule {self._loaded}, the config '
                    f'now gives {now} at iteration {runner.iter}')
        self.stage = self.sampler.stage_at(runner.iter)
        self._apply_ramps(runner, self.stage)
        plan = '; '.join(
            f'stage {k} from iter {b}: +{names}' for k, (b, names) in
            enumerate(zip(self.sampler.boundaries,
                          self.sampler.stage_task_names())))
        print_log(f'incremental schedule: {plan}; now stage {self.stage}',
                  logger='current')

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        i = runner.iter
        if i == 0 or i not in self.sampler.boundaries:
            return
        self.stage = self.sampler.stage_at(i)
        if self.reset_optimizer:
            self._reset_optimizer(runner)
        self._apply_ramps(runner, self.stage)
        names = [self.sampler.dataset.task_names[k]
                 for k in self.sampler.tasks_at(i)]
        print_log(f'iter {i}: stage {self.stage} starts, tasks {names}'
                  + ('; optimizer state reset' if self.reset_optimizer
                     else ''), logger='current')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self.sampler is not None:
            # runner.iter is the iteration just trained; a resumed run
            # continues with the next one (mmengine saves meta.iter = iter+1)
            checkpoint.setdefault('meta', {})[STATE_KEY] = self.state(
                runner.iter + 1)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._loaded = checkpoint.get('meta', {}).get(STATE_KEY)
