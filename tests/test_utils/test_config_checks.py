"""Config mistakes mmengine lets through are errors (or warnings) naming
the setting (issue 18.8): misspelt top-level keys, --cfg-options of the
wrong type, --resume with nothing to resume, a shortened max_iters."""
import glob
import os
import subprocess
import sys
import warnings

import pytest
from mmengine.config import Config

from mmdiffir.utils.config import (check_option_types, check_top_level_keys,
                                   warn_schedule_length)
from tests.helpers import DEMO_CONFIG, REPO, tiny_train_cfg

sys.path.insert(0, os.path.join(REPO, 'tools'))
import train as train_tool  # noqa: E402


def test_train_with_misspelt_key_exits_naming_the_right_one(tmp_path):
    cfg = tmp_path / 'typo.py'
    cfg.write_text(f"_base_ = ['{DEMO_CONFIG}']\n"
                   "trian_cfg = dict(max_iters=10)\n")
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, 'tools/train.py'), str(cfg),
         '--work-dir', str(tmp_path / 'w')], cwd=REPO, capture_output=True,
        text=True, timeout=300)
    assert proc.returncode != 0
    assert 'trian_cfg' in proc.stderr and '"train_cfg"' in proc.stderr
    assert not (tmp_path / 'w').exists()


def test_every_shipped_config_passes_the_key_check():
    configs = glob.glob(os.path.join(REPO, 'configs/**/*.py'), recursive=True)
    configs = [c for c in configs if '/_base_/' not in c]
    assert len(configs) > 10
    for path in configs:
        check_top_level_keys(Config.fromfile(path), path)


def test_cfg_option_of_the_wrong_type_names_key_and_type():
    cfg = Config.fromfile(DEMO_CONFIG)
    with pytest.raises(ValueError, match=r'train_cfg.max_iters=.1k.: '
                       r'expected int'):
        check_option_types(cfg, {'train_cfg.max_iters': '1k'})
    with pytest.raises(ValueError, match='optim_wrapper.optimizer.lr'):
        check_option_types(cfg, {'optim_wrapper.optimizer.lr': 'fast'})
    # fine: same type, int for a float, switching off, a new key
    check_option_types(cfg, {'train_cfg.max_iters': 5,
                             'optim_wrapper.optimizer.lr': 1,
                             'val_cfg': None, 'brand_new': 'x'})


def test_shortened_max_iters_warns_naming_the_scheduler_setting():
    cfg = Config.fromfile(DEMO_CONFIG)
    old = cfg.train_cfg.max_iters
    cfg.merge_from_dict({'train_cfg.max_iters': 10})
    with pytest.warns(UserWarning, match=r'param_scheduler\[0\].*'
                      r'(T_max|end)='):
        warn_schedule_length(cfg, old, {'train_cfg.max_iters': 10})
    with warnings.catch_warnings():  # the schedule set as well: silent
        warnings.simplefilter('error')
        warn_schedule_length(cfg, old, {'train_cfg.max_iters': 10,
                                        'param_scheduler.0.T_max': 10})


def test_resume_with_nothing_to_resume_says_so(tmp_path, registered,
                                               capsys):
    cfg = tiny_train_cfg(tmp_path / 'work', max_iters=1, ckpt_interval=1)
    path = tmp_path / 'cfg.py'
    cfg.dump(str(path))
    work = str(tmp_path / 'work')
    with pytest.raises(FileNotFoundError, match='nothing to resume in'):
        train_tool.main([str(path), '--work-dir', work, '--resume'])
    with pytest.raises(FileNotFoundError, match='gone.pth'):
        train_tool.main([str(path), '--work-dir', work, '--resume',
                         str(tmp_path / 'gone.pth')])
    train_tool.main([str(path), '--work-dir', work, '--resume', 'auto'])
    assert 'starting a new run' in capsys.readouterr().err
    assert os.path.isfile(os.path.join(work, 'iter_1.pth'))
