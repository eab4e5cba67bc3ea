"""tools/train.py refuses a GEF config whose L_reg has no
ImportanceEstimationHook before it builds anything (the restorer itself
would only stop at the first training step)."""
import os
import sys

import pytest
from mmengine.config import Config

from mmdiffir.utils.config import check_training_hooks
from tests.helpers import REPO

sys.path.insert(0, os.path.join(REPO, 'tools'))
import train as train_tool  # noqa: E402

GEF = os.path.join(REPO, 'configs/eedtp/'
                   'eedtp-gef_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-denoise-cpu.py')
MTUL = os.path.join(REPO, 'configs/eedtp/'
                    'eedtp-mtul_nafnet-w16-tiny_1xb4-lr1e-3-1k_allinone6-cpu.py')


def _without_importance_hook(path):
    cfg = Config.fromfile(path)
    cfg.custom_hooks = [h for h in cfg.custom_hooks
                        if h.type != 'ImportanceEstimationHook']
    return cfg


@pytest.mark.parametrize('path', [GEF, MTUL])
def test_default_config_passes_and_fails_without_the_hook(path):
    cfg = Config.fromfile(path)
    assert cfg.model.stage == 'gef' and cfg.model.pixel_loss.reg_weight > 0
    check_training_hooks(cfg)  # the default config has the hook
    with pytest.raises(ValueError, match='ImportanceEstimationHook'):
        check_training_hooks(_without_importance_hook(path))


def test_no_hook_needed_without_reg_or_outside_gef():
    cfg = _without_importance_hook(GEF)
    cfg.model.pixel_loss.reg_weight = 0.0
    check_training_hooks(cfg)
    cfg = _without_importance_hook(GEF)
    cfg.model.stage = 'tmddp'
    check_training_hooks(cfg)


def test_train_tool_stops_before_building(tmp_path, monkeypatch):
    built = []
    monkeypatch.setattr(train_tool, 'tool_runner',
                        lambda verbose: built.append(verbose))
    leaf = tmp_path / 'gef_without_hook.py'  # the default GEF, hook removed
    leaf.write_text(f'_base_ = {GEF!r}\ncustom_hooks = []\n')
    with pytest.raises(ValueError, match='ImportanceEstimationHook'):
        train_tool.main([str(leaf), '--work-dir', str(tmp_path)])
    assert not built  # no Runner was made
