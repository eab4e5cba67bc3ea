"""DiffUIR's opt-in low-light preprocessing: per-channel histogram
equalisation of the degraded input only."""
import cv2
import numpy as np
import pytest

from mmdiffir.datasets.transforms import EqualizeHistogram, LowLight


def test_equalises_each_channel_of_the_input_only(real_photos):
    img = real_photos[2]
    dark = LowLight(seed=0).transform(dict(gt=img.copy(), key='x'))
    out = EqualizeHistogram().transform(dict(dark))
    assert np.array_equal(out['gt'], img)
    assert out['img'].dtype == np.float32
    u8 = np.clip(np.round(dark['img']), 0, 255).astype(np.uint8)
    for c in range(3):
        assert np.array_equal(out['img'][..., c],
                              cv2.equalizeHist(np.ascontiguousarray(
                                  u8[..., c])))
    # an equalised dark image spans the whole range
    assert out['img'].max() == 255 and dark['img'].mean() < 0.6 * \
        out['img'].mean()
    with pytest.raises(KeyError, match='"lq"'):
        EqualizeHistogram(keys=['lq']).transform(dict(img=u8))
