"""What tools/train.py and tools/test.py print on the terminal: progress
(tools/test.py's bar is mmdiffir/engine/hooks/test_progress_hook.py) and
results; the environment / config dump stays in the log file (unless
--verbose), and library FutureWarnings a user cannot act on are hidden."""
import logging
import re
import warnings

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
