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
    assert 'broken.png' in err and 'skipped 1 unreadable' in err
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
