"""What tools/train.py and tools/test.py print on the terminal: progress
and results; the environment / config dump stays in the log file (unless
--verbose), and library FutureWarnings a user cannot act on are hidden."""
import logging
import re
import warnings

from mmengine.hooks import Hook
from mmengine.runner import Runner

# Libraries whose FutureWarnings concern their own internals (e.g.
# diffusers' torch.utils._pytree deprecation, printed at every start).
_QUIET_LIBRARIES = r'(diffusers|mmengine|mmagic|mmcv|torch|torchvision|' \
    r'transformers|timm)(\.|$)'

# Log records of mmengine's Runner that belong in the log file only.
_FILE_ONLY_PREFIXES = ('\n' + '-' * 60 + '\nSystem environment:', 'Config:\n',
                       'Hooks will be executed in the following order')

# LoggerHook's "Iter(test) [100/500] eta ..." lines: TestProgressHook's bar
# shows the progress per set instead; the summary line (n/n) stays.
_TEST_ITER_LINE = re.compile(r'^(Epoch|Iter)\(test\)\s*\[\s*(\d+)/(\d+)\]')


def quiet_library_warnings() -> None:
    """Hide FutureWarnings raised inside third-party libraries; those of
    mmdiffir (and of the user's code) still show."""
    warnings.filterwarnings('ignore', category=FutureWarning,
                            module=_QUIET_LIBRARIES)


class FileOnlyFilter(logging.Filter):
    """Drops the Runner's environment, config and hook-order dumps and the
    per-interval test progress lines (all still written to the run's log
    file)."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = str(record.msg)
        if msg.startswith(_FILE_ONLY_PREFIXES):
            return False
        line = _TEST_ITER_LINE.match(msg)
        return not (line and line.group(2) != line.group(3))


def tool_runner(verbose: bool = False):
    """mmengine's Runner, or (not ``verbose``) a subclass whose terminal
    output leaves the environment / config dump to the log file. A subclass
    because mmengine builds its logger and writes the dump inside
    ``Runner.__init__``, before a caller could add a filter."""
    if verbose:
        return Runner

    class QuietRunner(Runner):

        def build_logger(self, *args, **kwargs):
            logger = super().build_logger(*args, **kwargs)
            for handler in logger.handlers:
                if isinstance(handler, logging.StreamHandler) and \
                        not isinstance(handler, logging.FileHandler):
                    handler.addFilter(FileOnlyFilter())
            return logger

    return QuietRunner


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

        from mmdiffir.engine.hooks.save_restored_hook import SaveRestoredHook
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
