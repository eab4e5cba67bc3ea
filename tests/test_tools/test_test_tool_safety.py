"""tools/test.py refuses what would lose data or silently test another
network: --save-restored into a data root (issue 18.1)."""
import os
import sys

import pytest

from tests.helpers import REPO

sys.path.insert(0, os.path.join(REPO, 'tools'))
import test as test_tool  # noqa: E402

CPU_NAFNET = os.path.join(
    REPO, 'configs/baselines/plain_nafnet-w16-tiny_1xb4-lr1e-3-2k_denoise-cpu.py')


def _sets(tmp_path, real_photos, save_rgb):
    options = []
    for i, name in enumerate(['CBSD68', 'Kodak24', 'McMaster']):
        save_rgb(tmp_path / 'sets' / name / f'{name}_0.png', real_photos[i])
        options += [f'test_dataloader.{i}.dataset.data_root={tmp_path}/sets',
                    f'test_dataloader.{i}.num_workers=0']
    return options


def _snapshot(folder):
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob('*')}


@pytest.mark.parametrize('target', ['sets', 'sets/Kodak24', 'sets/Kodak24/x',
                                    '.', 'link', 'link/McMaster'])
def test_save_restored_into_a_data_root_is_refused(tmp_path, real_photos,
                                                   save_rgb, target,
                                                   registered):
    options = _sets(tmp_path, real_photos, save_rgb)
    os.symlink(tmp_path / 'sets', tmp_path / 'link')
    ckpt = tmp_path / 'any.pth'
    ckpt.write_bytes(b'')  # refused before the checkpoint is read
    before = _snapshot(tmp_path)
    out = tmp_path / target
    work = tmp_path / 'work'
    with pytest.raises(ValueError) as err:
        test_tool.main([CPU_NAFNET, str(ckpt), '--work-dir', str(work),
                        '--save-restored', str(out), '--cfg-options',
                        *options])
    msg = str(err.value)
    assert '--save-restored' in msg and str(out) in msg
    assert os.path.realpath(tmp_path / 'sets') in msg  # names the data root
    assert _snapshot(tmp_path) == before  # nothing written, no work dir


def test_data_roots_cover_multi_task_configs(registered):
    from mmengine.config import Config

    from mmdiffir.utils.config import config_data_roots
    cfg = Config.fromfile(os.path.join(
        REPO, 'configs/eedtp/'
        'eedtp-mtul_nafnet-w16-tiny_1xb4-lr1e-3-1k_allinone6-cpu.py'))
    keys = [k for k, _ in config_data_roots(cfg)]
    # the six test sets wrap their dataset in a MultiTaskDataset
    assert any(k.startswith('test_dataloader.5.dataset.tasks.0.dataset.')
               for k in keys), keys
    assert any(k.startswith('train_dataloader.') for k in keys)
