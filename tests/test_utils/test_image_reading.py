"""One image-reading policy for infer, test and train (issue 18.3): a
truncated JPEG is an error naming the file everywhere, never a half-grey
"restoration"."""
import cv2
import numpy as np
import pytest

from mmdiffir.utils.image_file import UnreadableImageError, read_image
from mmdiffir.registry import TRANSFORMS


@pytest.fixture
def truncated_jpeg(tmp_path, real_photos, save_rgb):
    path = save_rgb(tmp_path / 'photo.jpg', real_photos[0])
    data = open(path, 'rb').read()
    cut = tmp_path / 'cut.jpg'
    cut.write_bytes(data[:len(data) * 2 // 3])
    # what the inferencer used to read: half a photo, no error
    assert cv2.imread(str(cut)) is not None
    return path, str(cut)


def _loader(key='gt'):
    return TRANSFORMS.build(dict(type='LoadImageFromFile', key=key,
                                 color_type='color', channel_order='rgb',
                                 imdecode_backend='cv2'))


def test_truncated_jpeg_is_refused_by_infer_and_pipelines(truncated_jpeg,
                                                          registered):
    _, cut = truncated_jpeg
    with pytest.raises(UnreadableImageError, match='cut.jpg.*truncated'):
        read_image(cut)
    with pytest.raises(OSError, match='cut.jpg.*truncated'):
        _loader()(dict(gt_path=cut))


def test_infer_and_pipelines_read_the_same_pixels(truncated_jpeg,
                                                  registered):
    good, _ = truncated_jpeg
    loaded = _loader()(dict(gt_path=good))['gt']
    assert np.array_equal(loaded, read_image(good).rgb.astype(np.uint8))


def test_infer_cli_skips_the_truncated_file_by_name(truncated_jpeg, tmp_path,
                                                    registered, capsys):
    import os
    import sys

    from tests.helpers import REPO
    from tests.test_apis.builders import PLAIN_CPU, make_checkpoint
    sys.path.insert(0, os.path.join(REPO, 'tools'))
    import infer as infer_tool
    good, cut = truncated_jpeg
    ckpt = make_checkpoint(PLAIN_CPU, tmp_path / 'plain.pth')
    out = tmp_path / 'out'
    status = infer_tool.main([PLAIN_CPU, ckpt, os.path.dirname(good),
                              str(out), '--device', 'cpu'])
    assert status == 1
    assert 'cut.jpg' in capsys.readouterr().err
    assert os.listdir(out) == ['photo.jpg']
