"""Faults a user meets, each with a clear error naming the file or key (or
the documented handling): non-finite losses, a write interrupted during a
checkpoint save, a checkpoint of another model, unknown config keys and
misspelt types, and bad image files."""
import os

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.fileio import get_file_backend
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmdiffir.engine.hooks import NonFiniteLossError
from mmdiffir.registry import DATASETS, MODELS, TRANSFORMS
from mmdiffir.utils import safe_torch_load
from tests.helpers import DEMO_CONFIG, tiny_train_cfg


class _PoisonAt(Hook):
    """Sets one weight to NaN before iteration ``n`` (0-based)."""

    def __init__(self, n):
        self.n = n

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.n:
            with torch.no_grad():
                next(runner.model.parameters()).fill_(float('nan'))


def test_nonfinite_loss_stops_and_keeps_the_last_good_checkpoint(
        tmp_path, registered):
    cfg = tiny_train_cfg(tmp_path, max_iters=4, ckpt_interval=1)
    runner = Runner.from_cfg(cfg)
    runner.register_hook(_PoisonAt(2))
    with pytest.raises(NonFiniteLossError,
                       match=r'iteration 3: loss=nan.*iter_2\.pth'):
        runner.train()
    assert not (tmp_path / 'iter_3.pth').exists()
    assert open(tmp_path / 'last_checkpoint').read().strip().endswith(
        'iter_2.pth')
    saved = safe_torch_load(tmp_path / 'iter_2.pth')['state_dict']
    assert all(torch.isfinite(v).all() for v in saved.values()
               if v.dtype.is_floating_point)


def test_interrupted_checkpoint_write_leaves_the_old_file(
        tmp_path, registered, monkeypatch):
    target = tmp_path / 'iter_1.pth'
    backend = get_file_backend(str(target))
    backend.put(b'old checkpoint', str(target))

    def killed(fd):
        raise KeyboardInterrupt  # e.g. the job is stopped mid-write

    monkeypatch.setattr(os, 'fsync', killed)
    with pytest.raises(KeyboardInterrupt):
        backend.put(b'new, half written', str(target))
    assert target.read_bytes() == b'old checkpoint'
    assert os.listdir(tmp_path) == ['iter_1.pth']  # no temporary left over


def test_checkpoint_of_another_model_is_refused(tmp_path, registered):
    cfg = Config.fromfile(DEMO_CONFIG)
    other = cfg.model.copy()
    other.generator = dict(cfg.model.generator, mid_channels=8)
    torch.save(dict(state_dict=MODELS.build(other).state_dict(), meta={}),
               tmp_path / 'other_width.pth')
    torch.save(dict(state_dict={'backbone.conv.weight': torch.zeros(3)},
                    meta={}), tmp_path / 'other_model.pth')
    for name, match in (('other_width.pth', 'shape mismatches'),
                        ('other_model.pth', 'none of the weights')):
        run = tiny_train_cfg(tmp_path / name.split('.')[0], max_iters=1)
        run.load_from = str(tmp_path / name)
        runner = Runner.from_cfg(run)
        with pytest.raises(ValueError, match=f'{name}.*{match}'):
            runner.train()


def test_unknown_config_keys_and_types_are_named(registered):
    cfg = Config.fromfile(DEMO_CONFIG)
    bad_key = dict(cfg.model, generatr=cfg.model.generator)
    with pytest.raises(TypeError, match='generatr'):
        MODELS.build(bad_key)
    bad_type = dict(cfg.model, generator=dict(cfg.model.generator,
                                              type='NAFNett'))
    with pytest.raises(KeyError, match='NAFNett'):
        MODELS.build(bad_type)
    with pytest.raises(KeyError, match='AddGausianNoise'):
        TRANSFORMS.build(dict(type='AddGausianNoise'))


@pytest.fixture
def bad_images(tmp_path, real_photos, save_rgb):
    import cv2
    good = real_photos[0][:40, :40]
    d = tmp_path / 'imgs'
    save_rgb(d / 'good.png', good)
    data = (d / 'good.png').read_bytes()
    (d / 'empty.png').write_bytes(b'')
    (d / 'text.png').write_text('not an image')
    (d / 'trunc.png').write_bytes(data[:len(data) // 2])
    cv2.imwrite(str(d / 'grey.png'), good[..., 0])
    cv2.imwrite(str(d / 'rgba.png'),
                np.dstack([good[..., ::-1], np.full(good.shape[:2], 77,
                                                    np.uint8)]))
    cv2.imwrite(str(d / 'deep.png'), good[..., ::-1].astype(np.uint16) * 257)
    save_rgb(d / 'odd.png', real_photos[0][:41, :39])
    return d


def _load(path, key='gt', color_type='color'):
    t = TRANSFORMS.build(dict(type='LoadImageFromFile', key=key,
                              color_type=color_type, channel_order='rgb',
                              imdecode_backend='cv2'))
    return t(dict(**{f'{key}_path': str(path)}))[key]


@pytest.mark.parametrize('name,what', [('empty', 'empty'),
                                       ('text', 'not an image'),
                                       ('trunc', 'truncated')])
def test_unreadable_images_name_the_file(bad_images, name, what, registered):
    with pytest.raises(OSError, match=f'{name}.png.*{what}'):
        _load(bad_images / f'{name}.png')
    with pytest.raises(FileNotFoundError, match='missing.png'):
        _load(bad_images / 'missing.png')


def test_grey_rgba_and_16bit_are_handled_as_documented(bad_images,
                                                       registered):
    good = _load(bad_images / 'good.png')
    grey = _load(bad_images / 'grey.png')  # channel repeated
    assert grey.shape == good.shape and (grey[..., 0] == grey[..., 2]).all()
    rgba = _load(bad_images / 'rgba.png')  # alpha dropped
    assert np.array_equal(rgba, good)
    deep = _load(bad_images / 'deep.png')  # 16 -> 8 bits
    assert deep.dtype == np.uint8 and np.abs(
        deep.astype(int) - good.astype(int)).max() <= 1
    kept = _load(bad_images / 'deep.png', color_type='unchanged')
    assert kept.dtype == np.uint16


def test_input_gt_size_mismatch_names_both_files(bad_images, registered):
    pipeline = [
        dict(type='LoadImageFromFile', key='img', color_type='color',
             channel_order='rgb', imdecode_backend='cv2'),
        dict(type='LoadImageFromFile', key='gt', color_type='color',
             channel_order='rgb', imdecode_backend='cv2'),
    ]
    ts = [TRANSFORMS.build(p) for p in pipeline]
    results = dict(img_path=str(bad_images / 'good.png'),
                   gt_path=str(bad_images / 'odd.png'))
    with pytest.raises(ValueError, match='good.png is 40x40.*odd.png is '
                       '41x39'):
        for t in ts:
            results = t(results)


def test_data_root_without_pairs_is_named(tmp_path, registered):
    (tmp_path / 'input').mkdir()
    (tmp_path / 'target').mkdir()
    with pytest.raises(FileNotFoundError, match='input'):
        DATASETS.build(dict(type='PairedImageDataset',
                            data_root=str(tmp_path), pipeline=[]))
