"""An iteration loop whose resume skips the trained data without loading it."""
import logging
import time

from mmengine.logging import print_log
from mmengine.runner.loops import (IterBasedTrainLoop,
                                   _InfiniteDataloaderIterator)

from mmdiffir.registry import LOOPS


@LOOPS.register_module()
class FastResumeIterBasedTrainLoop(IterBasedTrainLoop):
    """mmengine's ``IterBasedTrainLoop``, except on resume: instead of
    loading (and throwing away) every batch of the trained iterations, it
    moves the sampler to the first draw of the next iteration and restarts
    the dataloader there.

    Exact when the sampler can fast-forward (``KeyedInfiniteSampler``,
    ``MultiTaskSampler``) and the dataset keys its random choices by draw
    (mmdiffir's datasets, ``draw_keyed``): then the skipped samples never
    influenced the ones after them. Otherwise it replays like mmengine and
    says why in the log.

    Why not mmengine's loop: its replay makes resuming iteration 400k of a
    500k run load 400k batches first (mmengine issues 1520 and 1633).
    """

    def _fast_forward_reason(self):
        """None when fast-forward is exact, else why not."""
        loader = self.dataloader
        sampler = getattr(loader, 'sampler', None)
        if loader.batch_sampler is not None and \
                getattr(loader.batch_sampler, 'sampler', None) is not sampler:
            return 'a custom batch_sampler'
        if not hasattr(sampler, 'fast_forward'):
            return (f'sampler {type(sampler).__name__} cannot fast-forward '
                    '(use KeyedInfiniteSampler)')
        if not getattr(loader.dataset, 'draw_keyed', False):
            return (f'dataset {type(loader.dataset).__name__} does not key '
                    'its random choices by draw')
        return None

    def run(self):
        self.runner.call_hook('before_train')
        self.runner.call_hook('before_train_epoch')
        if self._iter > 0:
            reason = self._fast_forward_reason()
            if reason is None:
                start = time.perf_counter()
                sampler = self.dataloader.sampler
                draws = self._iter * self.dataloader.batch_size * \
                    sampler.world_size
                sampler.fast_forward(draws)
                # the iterator built with the loop already prefetched from
                # draw 0: a new one starts at the new position
                self.dataloader_iterator = _InfiniteDataloaderIterator(
                    self.dataloader)
                print_log(f'fast resume: sampler moved to draw {draws} '
                          f'(iteration {self._iter}) without loading data '
                          f'in {time.perf_counter() - start:.2f} s',
                          logger='current')
            else:
                print_log(f'resume replays {self._iter} batches: {reason}',
                          logger='current', level=logging.WARNING)
                for _ in range(self._iter):
                    next(self.dataloader_iterator)
        while self._iter < self._max_iters and not self.stop_training:
            self.runner.model.train()
            data_batch = next(self.dataloader_iterator)
            self.run_iter(data_batch)
            self._decide_current_val_interval()
            if (self.runner.val_loop is not None
                    and self._iter >= self.val_begin
                    and (self._iter % self.val_interval == 0
                         or self._iter == self._max_iters)):
                self.runner.val_loop.run()
        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model
