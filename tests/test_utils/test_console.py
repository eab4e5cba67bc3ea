"""Feedback on long work (issue 18.9): a progress bar per test set, the
environment / config dump in the log file only (--verbose brings it back),
library FutureWarnings hidden."""
import glob
import os
import sys
import warnings

from tests.helpers import DEMO_CONFIG, REPO
from tests.test_apis.builders import make_checkpoint

sys.path.insert(0, os.path.join(REPO, 'tools'))
import test as test_tool  # noqa: E402


def test_test_tool_shows_a_bar_per_set_and_keeps_the_dump_in_the_log(
        tmp_path, registered, capsys):
    ckpt = make_checkpoint(DEMO_CONFIG, tmp_path / 'demo.pth')
    options = ['test_dataloader.num_workers=0']
    test_tool.main([DEMO_CONFIG, ckpt, '--work-dir', str(tmp_path / 'q'),
                    '--no-images', '--cfg-options', *options])
    out = capsys.readouterr()
    terminal = out.out + out.err
    assert 'System environment' not in terminal
    assert 'Config:' not in terminal
    assert 'skimage-test' in out.err and 'img' in out.err  # the tqdm bar
    [log] = glob.glob(f'{tmp_path}/q/*/*.log')
    text = open(log).read()
    assert 'System environment' in text and 'Config:' in text
    test_tool.main([DEMO_CONFIG, ckpt, '--work-dir', str(tmp_path / 'v'),
                    '--no-images', '--verbose', '--cfg-options', *options])
    assert 'System environment' in capsys.readouterr().out


def test_library_future_warnings_are_hidden_not_ours():
    from mmdiffir.utils.console import quiet_library_warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        quiet_library_warnings()
        for module in ('diffusers.utils.outputs', 'mmengine.runner',
                       'mmdiffir.apis.cli'):
            warnings.warn_explicit('deprecated', FutureWarning, 'x.py', 1,
                                   module=module)
        warnings.warn_explicit('real problem', UserWarning, 'x.py', 1,
                               module='mmengine.runner')
    shown = [(w.category, str(w.message)) for w in caught]
    assert shown == [(FutureWarning, 'deprecated'),
                     (UserWarning, 'real problem')]


def test_per_interval_test_lines_stay_in_the_log_file():
    """LoggerHook's "(test) [100/500]" progress lines are left to the log
    file (the bar shows progress); the n/n summary with the metrics and the
    validation lines of training still reach the terminal."""
    import logging

    from mmdiffir.utils.console import FileOnlyFilter

    def shown(msg):
        return FileOnlyFilter().filter(logging.LogRecord(
            'mmengine', logging.INFO, 'x.py', 1, msg, None, None))

    assert not shown('Epoch(test) [100/500]    eta: 0:00:10  time: 0.1')
    assert not shown('Iter(test) [ 100/1000]    eta: 0:00:10')
    assert shown('Epoch(test) [500/500]    Kodak24/PSNR: 31.2000')
    assert shown('Iter(val) [100/500]    eta: 0:00:10')
    assert not shown('Config:\nmodel = ...')
