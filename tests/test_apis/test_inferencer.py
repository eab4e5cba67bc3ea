"""RestorationInferencer: folders of mixed formats, task selection for
multi-task EEDTP, tiled == untiled, model-index names, checkpoint errors."""
import os

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmdiffir.apis import (RestorationInferencer, resolve_config,
                           resolve_t_mat)
from mmdiffir.utils.image_file import read_image
from tests.test_apis.builders import MTUL_CPU, PLAIN_CPU, make_checkpoint


@pytest.fixture(scope='module')
def ckpts(tmp_path_factory, registered):
    root = tmp_path_factory.mktemp('ckpts')
    return dict(mtul=make_checkpoint(MTUL_CPU, root / 'mtul.pth'),
                plain=make_checkpoint(PLAIN_CPU, root / 'plain.pth'))


@pytest.fixture(scope='module')
def plain(ckpts):
    return RestorationInferencer(PLAIN_CPU, ckpts['plain'], device='cpu')


@pytest.fixture(scope='module')
def mtul(ckpts):
    return RestorationInferencer(MTUL_CPU, ckpts['mtul'], task='rain')


def write_mixed_folder(folder, photos, save_rgb):
    """8-bit PNG, JPEG, 16-bit TIFF, grey PNG, RGBA PNG, a broken .png and
    a text file, all from real photos."""
    a, b, c = photos[:3]
    save_rgb(folder / 'rgb8.png', a)
    save_rgb(folder / 'photo.jpg', b)
    cv2.imwrite(str(folder / 'deep16.tif'),
                np.ascontiguousarray(a[..., ::-1]).astype(np.uint16) * 257)
    cv2.imwrite(str(folder / 'grey.png'), cv2.cvtColor(
        np.ascontiguousarray(c), cv2.COLOR_RGB2GRAY))
    alpha = np.tile(np.linspace(0, 255, c.shape[1]).astype(np.uint8),
                    (c.shape[0], 1))
    cv2.imwrite(str(folder / 'rgba.png'),
                np.dstack([np.ascontiguousarray(c[..., ::-1]), alpha]))
    (folder / 'broken.png').write_bytes(b'not an image at all')
    (folder / 'notes.txt').write_text('ignored: no image extension')
    return alpha


def test_folder_of_mixed_formats(plain, tmp_path, real_photos, save_rgb):
    src = tmp_path / 'in'
    src.mkdir()
    alpha = write_mixed_folder(src, real_photos, save_rgb)
    out = tmp_path / 'out'
    failed = plain.restore_files(
        [str(src / n) for n in sorted(os.listdir(src)) if n != 'notes.txt'],
        str(out))
    assert list(failed) == [str(src / 'broken.png')]
    assert 'broken.png' in failed[str(src / 'broken.png')]
    assert sorted(os.listdir(out)) == ['deep16.tif', 'grey.png', 'photo.jpg',
                                       'rgb8.png', 'rgba.png']
    rgb8 = cv2.imread(str(out / 'rgb8.png'), cv2.IMREAD_UNCHANGED)
    deep = cv2.imread(str(out / 'deep16.tif'), cv2.IMREAD_UNCHANGED)
    grey = cv2.imread(str(out / 'grey.png'), cv2.IMREAD_UNCHANGED)
    rgba = cv2.imread(str(out / 'rgba.png'), cv2.IMREAD_UNCHANGED)
    assert rgb8.dtype == np.uint8 and rgb8.shape == real_photos[0].shape
    assert deep.dtype == np.uint16 and deep.shape == rgb8.shape
    assert grey.ndim == 2 and grey.shape == real_photos[2].shape[:2]
    assert rgba.shape[2] == 4 and np.array_equal(rgba[..., 3], alpha)
    # the 16-bit copy holds the same photo: its restoration is the 8-bit
    # one at 16-bit precision (rounding only), so the scaling is right
    assert np.abs(deep / 257.0 - rgb8).max() <= 1.0
    # and the network really ran: output differs from the input
    assert np.abs(rgb8[..., ::-1].astype(float) - real_photos[0]).mean() > 1


def test_call_on_array_list_and_folder(plain, tmp_path, real_photos,
                                       save_rgb):
    one = plain(real_photos[0])
    assert one.dtype == np.float32 and one.shape == real_photos[0].shape
    p0 = save_rgb(tmp_path / 'a.png', real_photos[0])
    save_rgb(tmp_path / 'b.png', real_photos[1])
    assert np.array_equal(plain([p0])[0], one)
    assert sorted(plain(str(tmp_path))) == [p0, str(tmp_path / 'b.png')]
    assert plain.device.type == ('cuda' if torch.cuda.is_available() else
                                 'cpu') or plain.device.type == 'cpu'


def test_task_selection_matches_the_models_own_conditioning(
        mtul, ckpts, real_photos):
    assert mtul.t_mat == 8
    x = real_photos[0].astype(np.float32)
    rain = mtul(x)
    # the same task by t_mat / its name
    by_t = RestorationInferencer(MTUL_CPU, ckpts['mtul'], t_mat=8)
    by_paper = RestorationInferencer(MTUL_CPU, ckpts['mtul'], task='rain')
    assert np.array_equal(by_t(x), rain) and np.array_equal(by_paper(x), rain)
    # = the restorer's training-time path at t=8 (unfrozen modulation)
    t = torch.from_numpy(x).permute(2, 0, 1)[None] / 255
    with torch.no_grad():
        ref = mtul.model.restore(t, torch.tensor([8]))
    mtul.model.conditioner.set_time(None)
    mtul.model.adapter.set_time(None)
    ref = ref[0].permute(1, 2, 0).clamp(0, 1).numpy() * 255
    assert np.abs(ref - rain).max() < 1e-3
    # another task conditions differently
    haze = RestorationInferencer(MTUL_CPU, ckpts['mtul'], task='haze')
    assert haze.t_mat == 47 and np.abs(haze(x) - rain).max() > 0.5


def test_task_errors_name_the_choices(ckpts):
    with pytest.raises(ValueError, match='multi-task.*rain \\(t_mat 8\\)'):
        RestorationInferencer(MTUL_CPU, ckpts['mtul'])
    with pytest.raises(ValueError, match='unknown task "sandstorm".*haze'):
        RestorationInferencer(MTUL_CPU, ckpts['mtul'], task='sandstorm')
    with pytest.raises(ValueError, match='EEDTP models only'):
        RestorationInferencer(PLAIN_CPU, ckpts['plain'], task='rain')
    with pytest.raises(ValueError, match='has t_mat 8'):
        resolve_t_mat('rain', 9, {'rain': 8}, 50)
    with pytest.raises(ValueError, match='0..50'):
        resolve_t_mat(None, 51, {}, 50)


def test_checkpoint_of_another_model_is_named(ckpts):
    with pytest.raises(RuntimeError, match='plain.pth.*missing keys'):
        RestorationInferencer(MTUL_CPU, ckpts['plain'], task='rain')
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        RestorationInferencer(PLAIN_CPU, '/nowhere.pth')


def test_model_index_names_resolve():
    cfg = resolve_config('eedtp-gef_nafnet-w16-tiny_1xb4-lr1e-3-1k_'
                         't91-denoise-cpu')
    assert cfg.model.type == 'EEDTPRestorer'
    with pytest.raises(KeyError, match='Close names'):
        resolve_config('nafnet-w16-tiny')
    with pytest.raises(FileNotFoundError, match='missing_cfg.py'):
        resolve_config('configs/missing_cfg.py')


# A local (receptive-field radius 7: conv + 2 residual blocks of two 3x3
# convs + 2 convs) EEDTP-conditioned network, so tiling can be exact.
LOCAL_EEDTP = dict(
    type='EEDTPRestorer',
    generator=dict(type='EDSRNet', in_channels=3, out_channels=3,
                   mid_channels=8, num_blocks=2, upscale_factor=1),
    conditioner=dict(type='TimeConditioner', embed_dim=16,
                     block_types=['ResidualBlockNoBN'], num_steps=50),
    t_mat=4,
    data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.],
                           std=[255., 255., 255.]))


@pytest.mark.parametrize('flip', [1, 8])
def test_tiled_equals_untiled(registered, tmp_path, real_photos, flip):
    cfg = Config(dict(model=LOCAL_EEDTP))
    ckpt = make_checkpoint(PLAIN_CPU, tmp_path / 'local.pth',
                           model_cfg=LOCAL_EEDTP)
    whole = RestorationInferencer(cfg, ckpt, flip=flip)
    x = real_photos[0].astype(np.float32)  # 96 x 128
    ref = whole(x)
    tiled = RestorationInferencer(cfg, ckpt, flip=flip, tile=40,
                                  tile_overlap=16)  # margin 8 >= 7
    assert np.abs(tiled(x) - ref).max() / 255 < 1e-5
    # control: a margin below the receptive field is visibly different
    short = RestorationInferencer(cfg, ckpt, flip=flip, tile=40,
                                  tile_overlap=4)
    assert np.abs(short(x) - ref).max() / 255 > 1e-3


def test_read_image_rejects_with_the_name(tmp_path):
    from mmdiffir.utils.image_file import UnreadableImageError
    bad = tmp_path / 'x.png'
    bad.write_bytes(b'\x89PNG broken')
    with pytest.raises(UnreadableImageError, match='x.png'):
        read_image(str(bad))
    f32 = tmp_path / 'f.tiff'
    cv2.imwrite(str(f32), np.zeros((4, 4), np.float32))
    with pytest.raises(UnreadableImageError, match='8- and 16-bit'):
        read_image(str(f32))


def test_tiled_image_shows_progress_per_tile(plain, real_photos, capsys):
    """Issue 18.9: a 96x128 photo in 48-pixel tiles with overlap 16 is
    3 x 4 = 12 tiles (as tiled_forward places them); the bar counts them."""
    old = plain.tile, plain.tile_overlap
    plain.tile, plain.tile_overlap = 48, 16
    plain.tile_progress = True
    try:
        plain.restore_array(real_photos[0])
    finally:
        plain.tile, plain.tile_overlap = old
        plain.tile_progress = False
    err = capsys.readouterr().err
    assert 'tiles' in err and '12/12' in err


def test_task_names_are_the_tables_and_the_configs_only():
    """--task takes the config's task names and the t_mat table's names,
    nothing else (no alias vocabulary); a wrong name lists the valid ones."""
    from mmdiffir.apis.inferencer import resolve_t_mat
    assert resolve_t_mat('haze', None, {}, 50) == 47
    assert resolve_t_mat('SOTS', None, {'SOTS': 47}, 50) == 47
    with pytest.raises(ValueError, match='unknown task "hazy"; known tasks: '
                       'SOTS, noise, rain, jpeg, snow, inpainting, raindrop, '
                       'shadow, lowlight, haze, blur'):
        resolve_t_mat('hazy', None, {'SOTS': 47}, 50)


@pytest.mark.parametrize('which', ['plain', 'mtul'])
def test_inferencer_output_is_the_models_test_step_output(
        which, ckpts, real_photos):
    """Issue 14.5: one test-time path. The same image and test_cfg (tiles
    and the x8 flip ensemble on; sides that are no multiple of the tile)
    give bit-identical results through the inferencer and through the
    model's own test_step on a sample packed as the test pipelines pack
    one (PackInputs after LoadImageFromFile(channel_order='rgb'))."""
    from mmagic.datasets.transforms import PackInputs

    from mmdiffir.apis.inferencer import load_weights
    from mmdiffir.registry import MODELS
    config = dict(plain=PLAIN_CPU, mtul=MTUL_CPU)[which]
    task = dict(plain=None, mtul='rain')[which]
    opts = dict(tile=48, tile_overlap=16, flip=8)
    inf = RestorationInferencer(config, ckpts[which], device='cpu',
                                task=task, **opts)
    rgb = np.ascontiguousarray(real_photos[0][:61, :75])
    restored = inf(rgb)

    model = MODELS.build(Config.fromfile(config).model)
    load_weights(model, ckpts[which])
    model.eval()
    model.test_cfg = dict(model.test_cfg or {}, tile=48, tile_overlap=16,
                          flip_ensemble=8)
    packed = PackInputs().transform(dict(
        img=rgb, img_channel_order='rgb', img_color_type='color'))
    if inf.t_mat is not None:
        packed['data_samples'].set_metainfo(dict(t_mat=inf.t_mat))
    with torch.no_grad():
        [out] = model.test_step(dict(inputs=[packed['inputs']],
                                     data_samples=[packed['data_samples']]))
    # pred_img is in mmagic's BGR order (it writes with cv2)
    pred = out.output.pred_img.permute(1, 2, 0).numpy()[..., ::-1]
    assert np.array_equal(restored, pred)
    # and tiles / flips really ran in both
    plain_pass = RestorationInferencer(config, ckpts[which], device='cpu',
                                       task=task)(rgb)
    assert np.abs(plain_pass - restored).max() > 0.5
