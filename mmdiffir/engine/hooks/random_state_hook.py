"""Exact resume of the model-side random streams."""
import random
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmdiffir.registry import HOOKS

STATE_KEY = 'random_state'


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Saves python's and torch's random states in every checkpoint and
    puts them back before the first iteration of a resumed run, so that
    random draws made *by the model* (EEDTP's diffusion iterations, DiffIR's
    q_sample noise, DiffUIR's t and noise) continue as in the run that was
    interrupted.

    Why not mmengine alone: on resume it re-seeds every stream and (with
    its own loop) replays the data loader, which reproduces the data but not
    what the model drew in between. numpy's state is deliberately *not*
    restored: only the data pipeline uses it, and mmdiffir's datasets seed
    it per sample from (sampler seed, draw) and put it back
    (``mmdiffir.datasets.keyed_draws``), so the data of a resumed run are
    exact without it, with FastResumeIterBasedTrainLoop's fast-forward as
    with mmengine's replay.

    The states are taken in ``before_save_checkpoint`` (after the optimizer
    step of the saved iteration, before the next batch is loaded) and put back
    in ``before_train_iter`` of the first resumed iteration (after that batch
    is loaded: loading uses numpy only, so the order does not matter).
    """
    priority = 'VERY_HIGH'

    def __init__(self):
        self._pending: Optional[dict] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        state = dict(python=random.getstate(), torch=torch.get_rng_state())
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            state['cuda'] = torch.cuda.get_rng_state_all()
        checkpoint.setdefault('meta', {})[STATE_KEY] = state

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._pending = checkpoint.get('meta', {}).get(STATE_KEY)

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        if self._pending is None:
            return
        state, self._pending = self._pending, None
        if runner.iter == 0:  # load_from (not a resume): a fresh run
            return
        version, internal, gauss = state['python']
        random.setstate((version, tuple(internal), gauss))
        torch.set_rng_state(state['torch'])
        cuda = state.get('cuda')
        if cuda is not None and torch.cuda.is_available() and \
                len(cuda) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(cuda)
        print_log(f'random states restored for iteration {runner.iter}',
                  logger='current')
