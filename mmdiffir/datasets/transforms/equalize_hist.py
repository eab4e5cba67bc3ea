"""Per-channel histogram equalisation of the degraded input: DiffUIR's
low-light pre-processing, an explicit opt-in transform.

The reference equalises every LOL input (train and test) before the network
sees it. That tells the model which images are low-light, which a blind
universal restorer must not be told, and it changes the task (equalised LOL
inputs are no longer dark). mmdiffir therefore keeps it out of the default
pipelines; a config that wants the reference's protocol adds it to the
low-light task's pipeline (after loading, before cropping or packing).

Why not mmagic's ``ColorJitter`` / torchvision's ``equalize``: the first has
no equalisation, the second wants uint8 tensors in (C, H, W) and would add a
conversion both ways inside an OpenCV/numpy pipeline; ``cv2.equalizeHist``
per channel is what the reference applies.
"""
from typing import Sequence

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmdiffir.registry import TRANSFORMS


@TRANSFORMS.register_module()
class EqualizeHistogram(BaseTransform):
    """``cv2.equalizeHist`` on every channel of ``results[key]`` for each key.

    Args:
        keys (sequence[str]): images to equalise (HWC or HW, uint8 or float
            in [0, 255]); default ``('img',)``, the degraded input only.

    The output keeps the input's dtype (float images are rounded to uint8
    first: the histogram has 256 bins).
    """

    def __init__(self, keys: Sequence[str] = ('img', )):
        if isinstance(keys, str):
            keys = [keys]
        if not keys:
            raise ValueError('EqualizeHistogram: `keys` is empty')
        self.keys = list(keys)

    def transform(self, results: dict) -> dict:
        for key in self.keys:
            if key not in results:
                raise KeyError(f'EqualizeHistogram: no "{key}" image in the '
                               f'sample (keys: {sorted(results)})')
            img = results[key]
            u8 = np.clip(np.round(img), 0, 255).astype(np.uint8) \
                if img.dtype != np.uint8 else img
            if u8.ndim == 2:
                out = cv2.equalizeHist(u8)
            else:
                out = np.stack([cv2.equalizeHist(np.ascontiguousarray(
                    u8[..., c])) for c in range(u8.shape[2])], axis=-1)
            results[key] = out.astype(img.dtype)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(keys={self.keys!r})'
