"""The one image decoder of mmdiffir: tools/infer.py (``read_image``) and
every dataset pipeline (``LoadImageFromFile``) read files through
:func:`read_image_file` / :func:`decode_image`, so a file is accepted or
refused the same way for inference, testing and training.

Why not ``cv2.imread``: on a truncated JPEG it returns the decoded part
with a grey remainder and only prints libjpeg's "Premature end of JPEG
file" (no file name, no error). ``cv2.imdecode`` of the same bytes (what
mmcv's ``imfrombytes`` does) returns None for a truncated JPEG or PNG,
which is turned into an error naming the file here.
"""
import os.path as osp

import cv2
import numpy as np

# mmcv's names for the OpenCV read flags (LoadImageFromFile's color_type)
IMREAD_FLAGS = {
    'color': cv2.IMREAD_COLOR,
    'grayscale': cv2.IMREAD_GRAYSCALE,
    'unchanged': cv2.IMREAD_UNCHANGED,
    'color_ignore_orientation': cv2.IMREAD_IGNORE_ORIENTATION |
    cv2.IMREAD_COLOR,
    'grayscale_ignore_orientation': cv2.IMREAD_IGNORE_ORIENTATION |
    cv2.IMREAD_GRAYSCALE,
}


class UnreadableImageError(OSError):
    """A file that is missing, empty, truncated or not an image cv2 can
    decode (or of an unsupported kind); the message names the file."""


def decode_image(content: bytes, name: str,
                 flag: int = cv2.IMREAD_UNCHANGED) -> np.ndarray:
    """Encoded bytes -> the array in OpenCV's layout (BGR / BGRA / grey,
    the file's bit depth with ``IMREAD_UNCHANGED``).

    Raises:
        UnreadableImageError: empty, truncated or undecodable; the message
            names ``name``.
    """
    if not content:
        raise UnreadableImageError(f'cannot read image {name}: the file is '
                                   'empty')
    img = cv2.imdecode(np.frombuffer(content, np.uint8), flag)
    if img is None:
        raise UnreadableImageError(f'cannot read image {name}: the file is '
                                   'truncated or not an image')
    return img


def read_image_file(path: str, flag: int = cv2.IMREAD_UNCHANGED
                    ) -> np.ndarray:
    """:func:`decode_image` of a local file; a missing file is an
    :class:`UnreadableImageError` naming it too."""
    if not osp.isfile(path):
        raise UnreadableImageError(f'image file not found: {path}')
    with open(path, 'rb') as f:
        return decode_image(f.read(), path, flag)
