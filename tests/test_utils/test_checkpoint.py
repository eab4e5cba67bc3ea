"""Checkpoints load with weights_only=True and an explicit allow-list."""
import pickle

import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

from mmdiffir.utils import safe_torch_load
from mmdiffir.utils.checkpoint import TRUST_ENV


class Payload:
    """A pickled object a checkpoint must not be able to smuggle in."""

    def __reduce__(self):
        return (print, ('arbitrary code ran',))


def _mmengine_like(path):
    import numpy as np
    loss = HistoryBuffer()
    loss.update(1.0)
    loss.update(2.0)
    torch.save(dict(
        meta=dict(iter=3, seed=np.int64(3)),
        state_dict={'w': torch.ones(2)},
        message_hub=dict(log_scalars={'loss': loss},
                         runtime_info={'arr': np.arange(3)})), path)


def test_mmengine_checkpoint_loads_only_with_allow_list(tmp_path):
    path = tmp_path / 'ckpt.pth'
    _mmengine_like(path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)  # what plain torch 2.14 does
    ckpt = safe_torch_load(path)
    assert ckpt['meta']['iter'] == 3
    assert list(ckpt['message_hub']['log_scalars']['loss'].data[0]) == [1, 2]


def test_foreign_pickle_refused_with_file_and_opt_out(tmp_path, monkeypatch):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': Payload()}, path)
    with pytest.raises(RuntimeError) as err:
        safe_torch_load(path)
    assert str(path) in str(err.value) and TRUST_ENV in str(err.value)
    monkeypatch.setenv(TRUST_ENV, '1')
    assert 'state_dict' in safe_torch_load(path)


def test_missing_and_truncated_files_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        safe_torch_load(tmp_path / 'nope.pth')
    path = tmp_path / 'cut.pth'
    _mmengine_like(path)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(RuntimeError, match='cut.pth'):
        safe_torch_load(path)


def test_mmengine_local_loads_go_through_safe_loader(tmp_path, registered):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': Payload()}, path)
    with pytest.raises(RuntimeError, match='allow-list'):
        CheckpointLoader.load_checkpoint(str(path), map_location='cpu')


def test_resume_survives_an_empty_last_checkpoint(tmp_path, capsys):
    """mmengine rewrites last_checkpoint in place: a run killed in that
    instant leaves it empty. --resume then continues from the newest
    (atomically written) checkpoint and says so."""
    from mmdiffir.utils.checkpoint import checkpoint_to_resume
    assert checkpoint_to_resume(str(tmp_path)) is None  # nothing to resume
    for step in (2, 10, 4):
        torch.save({}, tmp_path / f'iter_{step}.pth')
    last = tmp_path / 'last_checkpoint'
    last.write_text(str(tmp_path / 'iter_4.pth'))
    assert checkpoint_to_resume(str(tmp_path)) == str(tmp_path / 'iter_4.pth')
    assert capsys.readouterr().err == ''
    last.write_text('')  # killed while mmengine rewrote it
    assert checkpoint_to_resume(str(tmp_path)) == str(tmp_path / 'iter_10.pth')
    assert 'iter_10.pth' in capsys.readouterr().err
    last.write_text(str(tmp_path / 'iter_12.pth'))  # named file is gone
    assert checkpoint_to_resume(str(tmp_path)) == str(tmp_path / 'iter_10.pth')


def test_train_resume_with_an_empty_last_checkpoint(tmp_path, registered):
    import sys
    from tests.helpers import REPO, tiny_train_cfg
    sys.path.insert(0, f'{REPO}/tools')
    import train as train_tool
    cfg = tiny_train_cfg(tmp_path / 'work', max_iters=2, ckpt_interval=1)
    path = tmp_path / 'cfg.py'
    cfg.dump(str(path))
    work = str(tmp_path / 'work')
    train_tool.main([str(path), '--work-dir', work])
    (tmp_path / 'work' / 'last_checkpoint').write_text('')
    (tmp_path / 'work' / 'iter_1.pth').unlink()  # a restart would rewrite it
    train_tool.main([str(path), '--work-dir', work, '--resume',
                     '--cfg-options', 'train_cfg.max_iters=3'])
    state = safe_torch_load(tmp_path / 'work' / 'iter_3.pth')
    assert state['meta']['iter'] == 3
    assert not (tmp_path / 'work' / 'iter_1.pth').exists()  # resumed at 2


@pytest.mark.parametrize('content, kind', [
    (b'<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>',
     'HTML'),
    (b'version https://git-lfs.github.com/spec/v1\noid sha256:abc\n', 'text'),
])
def test_bad_download_is_named_not_a_checkpoint(tmp_path, content, kind,
                                               registered):
    """A web page or a Git LFS pointer saved as .pth: one message naming
    the file, no KeyError, no advice to turn the safe loader off."""
    path = tmp_path / 'model.pth'
    path.write_bytes(content)
    with pytest.raises(RuntimeError) as err:
        safe_torch_load(path)
    msg = str(err.value)
    assert f'not a PyTorch checkpoint (looks like {kind}' in msg
    assert str(path) in msg and TRUST_ENV not in msg
    # mmengine's loader (load_from, --resume) gives the same message
    with pytest.raises(RuntimeError, match='looks like'):
        CheckpointLoader.load_checkpoint(str(path), map_location='cpu')


def test_empty_and_binary_junk_named(tmp_path):
    path = tmp_path / 'zero.pth'
    path.write_bytes(b'')
    with pytest.raises(RuntimeError, match='empty.*zero.pth'):
        safe_torch_load(path)
    path.write_bytes(bytes(range(1, 256)) * 4)
    with pytest.raises(RuntimeError, match='neither a zip archive'):
        safe_torch_load(path)
