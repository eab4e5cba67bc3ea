"""The terminal progress bar of tools/test.py."""
from mmengine.hooks import Hook

from .save_restored_hook import SaveRestoredHook


class TestProgressHook(Hook):
    """A tqdm bar per test set (mmengine's LoggerHook prints one line per
    ``interval`` images of all sets together). Rank 0 only."""
    priority = 'LOWEST'

    def __init__(self):
        self._loader = None
        self._bar = None

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None) -> None:
        if runner.rank != 0:
            return
        from tqdm import tqdm

        loader = getattr(runner.test_loop, 'dataloader', None)
        if loader is not self._loader:
            self._close()
            self._loader = loader
            self._bar = tqdm(total=len(loader.dataset), unit='img',
                             desc=SaveRestoredHook._benchmark(runner))
        self._bar.update(len(outputs) if outputs else 1)

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._close()

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
