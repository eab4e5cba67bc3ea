"""tools/test.py --flip-ensemble: the EEDTP reference's test-time ensemble
(TEST.py averages the restorations of the input, its horizontal flip, its
vertical flip and both, each flipped back) by one flag."""
import os
import sys

import pytest
import torch

from mmdiffir.models.inference_utils import flip_ensemble
from tests.helpers import DEMO_CONFIG, REPO

sys.path.insert(0, os.path.join(REPO, 'tools'))
import test as test_tool  # noqa: E402

EEDTP_DEMO = os.path.join(
    REPO, 'configs/demo/'
    'demo_eedtp-gef_nafnet-tiny_1xb8-lr1e-3-700_skimage-noise25.py')
DIFFIR_S1_CPU = os.path.join(
    REPO, 'configs/diffir/diffir-s1_dirformer-tiny_1xb4-lr1e-3-1k_t91-levin-'
    'cpu.py')


def test_four_flips_are_the_references():
    # a forward that is not flip-equivariant: each flip gives another output
    torch.manual_seed(0)
    weight = torch.randn(1, 3, 8, 8)

    def forward(x):
        return x * weight + x.cumsum(-1) * 0.1

    x = torch.rand(1, 3, 8, 8)
    reference = (forward(x) + forward(x.flip(-1)).flip(-1) +
                 forward(x.flip(-2)).flip(-2) +
                 forward(x.flip(-1, -2)).flip(-1, -2)) / 4
    assert torch.allclose(flip_ensemble(forward, x, 4), reference,
                          atol=1e-6)
    assert not torch.allclose(forward(x), reference, atol=1e-3)


class _Captured(Exception):
    pass


@pytest.mark.parametrize('config', [EEDTP_DEMO, DEMO_CONFIG],
                         ids=['eedtp', 'plain'])
@pytest.mark.parametrize('flag,n', [(['--flip-ensemble'], 4),
                                    (['--flip-ensemble', '8'], 8)])
def test_flag_sets_the_models_test_cfg(flag, n, config, tmp_path,
                                       monkeypatch, registered):
    """EEDTP and the plain baseline (PlainRestorer) read it alike, so both
    arms of a comparison can be tested with the same ensemble."""
    seen = {}

    def from_cfg(cfg):
        seen['cfg'] = cfg
        raise _Captured

    class _Runner:
        pass

    _Runner.from_cfg = staticmethod(from_cfg)
    # tools/test.py builds mmengine's Runner through tool_runner()
    monkeypatch.setattr(test_tool, 'tool_runner', lambda verbose: _Runner)
    ckpt = tmp_path / 'x.pth'
    ckpt.write_bytes(b'')
    with pytest.raises(_Captured):
        test_tool.main([config, str(ckpt), '--work-dir', str(tmp_path),
                        *flag])
    assert seen['cfg'].model.test_cfg['flip_ensemble'] == n
    # without the flag the config's own test_cfg stays
    with pytest.raises(_Captured):
        test_tool.main([config, str(ckpt), '--work-dir', str(tmp_path)])
    assert 'flip_ensemble' not in (seen['cfg'].model.get('test_cfg') or {})


def test_flag_refuses_a_model_that_ignores_it(tmp_path, registered):
    """DiffIR stage 1 (the teacher) restores from LQ and GT and has no
    tiles / flips."""
    ckpt = tmp_path / 'x.pth'
    ckpt.write_bytes(b'')
    with pytest.raises(ValueError, match='DiffIRS1'):
        test_tool.main([DIFFIR_S1_CPU, str(ckpt), '--work-dir',
                        str(tmp_path), '--flip-ensemble'])
