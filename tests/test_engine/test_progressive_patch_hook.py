"""ProgressivePatchHook on its own: stages, sizes, one window for input and
GT, choices keyed by (seed, iteration), clear errors; and the released
GoPro progressive config."""
import os.path as osp

import pytest
import torch
from mmagic.structures import DataSample
from mmengine.config import Config

from mmdiffir.engine.hooks import ProgressivePatchHook
from tests.helpers import REPO

RELEASED = dict(iters=[150_000, 60_000, 50_000, 60_000, 40_000, 40_000],
                patch_sizes=[192, 256, 320, 384, 464, 512],
                batch_sizes=[8, 4, 2, 2, 1, 1])


def _batch(n=8, size=64):
    g = torch.Generator().manual_seed(0)
    inputs = [torch.randint(0, 100, (3, size, size), generator=g).float()
              for _ in range(n)]
    # GT = 2 * input + sample index: a crop at another window, or of
    # another sample, breaks the relation
    samples = [DataSample(gt_img=(2 * x + i).to(torch.int32))
               for i, x in enumerate(inputs)]
    return dict(inputs=inputs, data_samples=samples)


def test_stage_boundaries_follow_the_released_iterations():
    hook = ProgressivePatchHook(**RELEASED)
    assert hook.setting_at(0) == (8, 192)
    assert hook.setting_at(149_999) == (8, 192)
    assert hook.setting_at(150_000) == (4, 256)
    assert hook.setting_at(359_999) == (1, 464)
    assert hook.setting_at(360_000) == (1, 512)
    assert hook.setting_at(10**7) == (1, 512)  # the last setting stays


def test_crop_keeps_a_subset_and_one_window_for_input_and_gt():
    hook = ProgressivePatchHook(iters=[5, 5], patch_sizes=[32, 48],
                                batch_sizes=[4, 2])
    for it, (n, size) in ((0, (4, 32)), (7, (2, 48))):
        batch = _batch()
        originals = [x.clone() for x in batch['inputs']]
        hook.crop_batch(batch, it)
        assert len(batch['inputs']) == len(batch['data_samples']) == n
        for x, s in zip(batch['inputs'], batch['data_samples']):
            assert x.shape == (3, size, size)
            i = int((s.gt_img - 2 * x.to(torch.int32)).unique().item())
            # the crop is a window of that same sample's input
            found = [(t, l) for t in range(64 - size + 1)
                     for l in range(64 - size + 1)
                     if torch.equal(originals[i][:, t:t + size, l:l + size],
                                    x)]
            assert found


def test_choices_are_a_function_of_seed_and_iteration():
    hook = ProgressivePatchHook(iters=[10], patch_sizes=[16],
                                batch_sizes=[3])

    def crop(it, seed=0):
        hook.seed = seed
        batch = _batch()
        hook.crop_batch(batch, it)
        return torch.stack(batch['inputs'])

    assert torch.equal(crop(4), crop(4))
    assert not torch.equal(crop(4), crop(5))
    assert not torch.equal(crop(4), crop(4, seed=1))


def test_bad_settings_and_small_batches_are_named():
    with pytest.raises(ValueError, match='one entry per stage'):
        ProgressivePatchHook(iters=[1, 2], patch_sizes=[8], batch_sizes=[1])
    with pytest.raises(ValueError, match='patch_sizes'):
        ProgressivePatchHook(iters=[1], patch_sizes=[0], batch_sizes=[1])
    hook = ProgressivePatchHook(iters=[1], patch_sizes=[128],
                                batch_sizes=[2])
    with pytest.raises(ValueError, match='crop to 128'):
        hook.crop_batch(_batch(), 0)


def test_released_progressive_gopro_config():
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/diffir/'
        'diffir-s2_dirformer-48_8xb8-lr2e-4-400k_gopro-progressive.py'))
    [hook] = [h for h in cfg.custom_hooks
              if h['type'] == 'ProgressivePatchHook']
    assert {k: hook[k] for k in RELEASED} == RELEASED
    assert sum(RELEASED['iters']) == cfg.train_cfg.max_iters
    assert cfg.train_dataloader.batch_size == max(RELEASED['batch_sizes'])
    [crop] = [t for t in cfg.train_dataloader.dataset.pipeline
              if t['type'] == 'PairedRandomCrop']
    assert crop['gt_patch_size'] == max(RELEASED['patch_sizes'])
