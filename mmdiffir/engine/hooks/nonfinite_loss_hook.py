"""Stop training at the first non-finite loss, keeping the last good
checkpoint."""
import math
import os.path as osp

from mmengine.hooks import Hook

from mmdiffir.registry import HOOKS


class NonFiniteLossError(FloatingPointError):
    """Raised by :class:`NonFiniteLossHook`."""


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """After each training step, check every logged loss term; a NaN or
    infinite one stops the run with an error naming the iteration and the
    term(s).

    It runs before the CheckpointHook of the same iteration (higher
    priority), so the weights that produced the bad loss are never saved:
    the last checkpoint on disk, and ``last_checkpoint``, stay those of the
    last good iteration. (mmengine's own ``check_finite`` only exists for
    some optimizer wrappers and does not name the term.)
    """
    priority = 'ABOVE_NORMAL'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        bad = {}
        for name, value in (outputs or {}).items():
            if 'loss' not in name:
                continue
            value = float(value.detach().float().mean()) if hasattr(
                value, 'detach') else float(value)
            if not math.isfinite(value):
                bad[name] = value
        if not bad:
            return
        last = osp.join(runner.work_dir, 'last_checkpoint')
        kept = open(last).read().strip() if osp.isfile(last) else 'none yet'
        terms = ', '.join(f'{k}={v}' for k, v in bad.items())
        raise NonFiniteLossError(
            f'non-finite loss at iteration {runner.iter + 1}: {terms}. '
            f'Training stopped; this iteration was not saved. Last good '
            f'checkpoint: {kept}')
