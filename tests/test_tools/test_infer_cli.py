"""tools/infer.py (= the mmdiffir-infer console command): folder in ->
folder out, dry run, refusal to overwrite inputs, errors naming paths."""
import os
import sys

import cv2
import numpy as np
import pytest

from tests.helpers import REPO
from tests.test_apis.builders import MTUL_CPU, PLAIN_CPU, make_checkpoint
from tests.test_apis.test_inferencer import write_mixed_folder

sys.path.insert(0, os.path.join(REPO, 'tools'))
import infer as infer_tool  # noqa: E402


@pytest.fixture(scope='module')
def plain_ckpt(tmp_path_factory, registered):
    return make_checkpoint(PLAIN_CPU,
                           tmp_path_factory.mktemp('cli') / 'plain.pth')


def test_folder_in_folder_out_with_unreadable_file(plain_ckpt, tmp_path,
                                                   real_photos, save_rgb,
                                                   capsys):
    src = tmp_path / 'in'
    (src / 'sub').mkdir(parents=True)
    write_mixed_folder(src, real_photos, save_rgb)
    save_rgb(src / 'sub' / 'nested.png', real_photos[1])
    before = {p: os.path.getmtime(src / p) for p in os.listdir(src)
              if (src / p).is_file()}
    out = tmp_path / 'out'
    status = infer_tool.main([PLAIN_CPU, plain_ckpt, str(src), str(out),
                              '--recursive', '--device', 'cpu'])
    assert status == 1  # one unreadable file
    err = capsys.readouterr().err
    assert 'broken.png' in err and 'skipped 1 file(s)' in err
    assert sorted(os.listdir(out)) == ['deep16.tif', 'grey.png', 'photo.jpg',
                                       'rgb8.png', 'rgba.png', 'sub']
    assert (out / 'sub' / 'nested.png').is_file()
    assert cv2.imread(str(out / 'deep16.tif'),
                      cv2.IMREAD_UNCHANGED).dtype == np.uint16
    # inputs untouched
    assert before == {p: os.path.getmtime(src / p) for p in before}


def test_glob_dry_run_and_ext(plain_ckpt, tmp_path, real_photos, save_rgb,
                              capsys):
    for i in range(2):
        save_rgb(tmp_path / 'in' / f'p{i}.jpg', real_photos[i])
    out = tmp_path / 'out'
    status = infer_tool.main([PLAIN_CPU, plain_ckpt,
                              str(tmp_path / 'in' / '*.jpg'), str(out),
                              '--ext', 'png', '--dry-run'])
    text = capsys.readouterr().out
    assert status == 0 and not out.exists()
    assert f'p0.jpg -> {out}/p0.png' in text and '2 file(s)' in text


def test_multi_task_needs_a_task_and_accepts_one(registered, tmp_path,
                                                 real_photos, save_rgb):
    ckpt = make_checkpoint(MTUL_CPU, tmp_path / 'mtul.pth')
    img = save_rgb(tmp_path / 'in' / 'a.png', real_photos[0])
    with pytest.raises(ValueError, match='choose the task'):
        infer_tool.main([MTUL_CPU, ckpt, img, str(tmp_path / 'o')])
    assert infer_tool.main([MTUL_CPU, ckpt, img, str(tmp_path / 'o'),
                            '--task', 'rain', '--tile', '64']) == 0
    assert cv2.imread(str(tmp_path / 'o' / 'a.png')).shape == \
        real_photos[0].shape


def test_missing_paths_are_named(plain_ckpt, tmp_path, real_photos,
                                 save_rgb):
    img = save_rgb(tmp_path / 'a.png', real_photos[0])
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        infer_tool.main([PLAIN_CPU, str(tmp_path / 'nope.pth'), img, 'o'])
    with pytest.raises(FileNotFoundError, match='missing_dir'):
        infer_tool.main([PLAIN_CPU, plain_ckpt, str(tmp_path / 'missing_dir'),
                         'o'])
    with pytest.raises(FileNotFoundError, match=r'\*.webp'):
        infer_tool.main([PLAIN_CPU, plain_ckpt, str(tmp_path / '*.webp'),
                         'o'])
    with pytest.raises(FileNotFoundError, match='no_cfg.py'):
        infer_tool.main(['no_cfg.py', plain_ckpt, img, 'o'])
    # the same ones through the console entry point: one line, status 2
    argv = ['mmdiffir-infer', PLAIN_CPU, plain_ckpt, str(tmp_path / 'gone'),
            'o']
    proc_status = None
    old = sys.argv
    try:
        sys.argv = argv
        with pytest.raises(SystemExit) as exc:
            infer_tool.cli()
        proc_status = exc.value.code
    finally:
        sys.argv = old
    assert proc_status == 2


def test_never_overwrites_inputs(plain_ckpt, tmp_path, real_photos,
                                 save_rgb):
    save_rgb(tmp_path / 'a.png', real_photos[0])
    with pytest.raises(FileExistsError, match='refusing to overwrite input'):
        infer_tool.main([PLAIN_CPU, plain_ckpt, str(tmp_path),
                         str(tmp_path)])


def test_console_entry_point_is_declared():
    text = open(os.path.join(REPO, 'setup.py')).read()
    assert "'mmdiffir-infer=mmdiffir.apis.cli:cli'" in text


def test_glob_over_same_named_files_keeps_both(plain_ckpt, tmp_path,
                                               real_photos, save_rgb,
                                               capsys):
    """Issue 18.2: day/x.png and night/x.png through one glob: two
    outputs, mirrored under the pattern's fixed folder."""
    save_rgb(tmp_path / 'shots' / 'day' / 'x.png', real_photos[0])
    save_rgb(tmp_path / 'shots' / 'night' / 'x.png', real_photos[1])
    out = tmp_path / 'out'
    assert infer_tool.main([PLAIN_CPU, plain_ckpt,
                            str(tmp_path / 'shots' / '*' / 'x.png'),
                            str(out), '--device', 'cpu']) == 0
    assert (out / 'day' / 'x.png').is_file()
    assert (out / 'night' / 'x.png').is_file()
    assert 'restored 2 image(s)' in capsys.readouterr().out


def test_two_inputs_for_one_output_are_refused_before_running(
        plain_ckpt, tmp_path, real_photos, save_rgb, capsys):
    src = tmp_path / 'in'
    save_rgb(src / 'x.png', real_photos[0])
    save_rgb(src / 'x.jpg', real_photos[1])
    out = tmp_path / 'out'
    # the dry run shows the collision and says the run would be refused
    assert infer_tool.main([PLAIN_CPU, plain_ckpt, str(src), str(out),
                            '--ext', '.png', '--dry-run']) == 2
    err = capsys.readouterr().err
    assert 'x.png' in err and 'x.jpg' in err and 'one output' in err
    with pytest.raises(FileExistsError, match='x.jpg'):
        infer_tool.main([PLAIN_CPU, plain_ckpt, str(src), str(out),
                         '--ext', '.png'])
    assert not out.exists()


def test_bad_options_are_refused_before_the_model_loads(
        plain_ckpt, tmp_path, real_photos, save_rgb, monkeypatch):
    """Issue 18.4: unknown --ext, 16-bit input with --ext .jpg, a GPU that
    is not there: errors before the (slow) model build."""
    import torch

    from mmdiffir.apis import inferencer
    src = tmp_path / 'in'
    save_rgb(src / 'a.png', real_photos[0])
    cv2.imwrite(str(src / 'deep.png'), np.ascontiguousarray(
        real_photos[1][..., ::-1]).astype(np.uint16) * 257)

    def no_model(*a, **k):
        raise AssertionError('the model was loaded before the options '
                             'were checked')
    monkeypatch.setattr(inferencer.RestorationInferencer, '__init__',
                        no_model)
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    out = str(tmp_path / 'out')
    for option, value, error in [
            ('--ext', 'gif', '--ext .gif: unknown'),
            ('--ext', '.jpg', 'deep.png is 16-bit'),
            ('--device', 'cuda', '--device cuda: no CUDA GPU'),
            ('--device', 'gpu0', '--device gpu0')]:
        with pytest.raises(ValueError, match=error):
            infer_tool.main([PLAIN_CPU, plain_ckpt, str(src), out, option,
                             value])


def test_a_failing_image_does_not_stop_the_rest(plain_ckpt, tmp_path,
                                                real_photos, save_rgb,
                                                capsys, monkeypatch):
    """A write that fails for one file mid-run (here: the disk refuses
    b.png) is reported by name; a.png and c.png are still restored and the
    exit status says something was skipped."""
    from mmdiffir.apis import inferencer
    src = tmp_path / 'in'
    for n, img in zip('abc', real_photos):
        save_rgb(src / f'{n}.png', img)
    real_write = inferencer.write_image

    def flaky_write(path, array):
        if path.endswith('b.png'):
            raise OSError(f'cannot write image file: {path}')
        real_write(path, array)
    monkeypatch.setattr(inferencer, 'write_image', flaky_write)
    out = tmp_path / 'out'
    assert infer_tool.main([PLAIN_CPU, plain_ckpt, str(src), str(out),
                            '--device', 'cpu']) == 1
    assert sorted(os.listdir(out)) == ['a.png', 'c.png']
    err = capsys.readouterr().err
    assert 'skipped 1 file(s)' in err and 'b.png' in err


def test_cli_refuses_an_untrained_task_of_a_multi_task_model(
        registered, tmp_path, real_photos, save_rgb):
    """A bare state_dict (no stored training config): the tasks of the
    given config's training loader are the trained ones."""
    ckpt = make_checkpoint(MTUL_CPU, tmp_path / 'mtul.pth')
    img = save_rgb(tmp_path / 'in' / 'a.png', real_photos[0][:32, :32])
    with pytest.raises(ValueError, match='"snow".*trained tasks'):
        infer_tool.main([MTUL_CPU, ckpt, img, str(tmp_path / 'o'),
                         '--task', 'snow'])
    with pytest.raises(ValueError, match='--allow-untrained-t-mat'):
        infer_tool.main([MTUL_CPU, ckpt, img, str(tmp_path / 'o'),
                         '--t-mat', '20'])
    assert infer_tool.main([MTUL_CPU, ckpt, img, str(tmp_path / 'o'),
                            '--t-mat', '20', '--allow-untrained-t-mat',
                            '--device', 'cpu']) == 0
