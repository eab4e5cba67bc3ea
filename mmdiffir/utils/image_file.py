"""Image files in and out: the one decoder of mmdiffir, and the reading,
writing and listing of the images the inferencer restores.

tools/infer.py (:func:`read_image`) and every dataset pipeline
(``LoadImageFromFile``) read files through :func:`read_image_file` /
:func:`decode_image`, so a file is accepted or refused the same way for
inference, testing and training. It lives in utils, below both the
inferencer (mmdiffir.apis) and the training hooks that save restored images
(mmdiffir.engine), which use :func:`write_image`.

Why not ``cv2.imread``: on a truncated JPEG it returns the decoded part
with a grey remainder and only prints libjpeg's "Premature end of JPEG
file" (no file name, no error). ``cv2.imdecode`` of the same bytes (what
mmcv's ``imfrombytes`` does) returns None for a truncated JPEG or PNG,
which is turned into an error naming the file here.

Images given to the inferencer keep what the user gave them: 8- or 16-bit
depth, grey / RGB / RGBA (the alpha channel is passed through untouched),
file name and format. The network always sees RGB float in the 0-255 range
(a 16-bit image is scaled down without rounding, so it keeps its
precision).
"""
import glob
import os
import os.path as osp
from dataclasses import dataclass
from typing import List, Optional

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

# What cv2.imread / cv2.imwrite handle in both directions.
IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff',
                    '.webp', '.ppm', '.pgm')
_MAX = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}


@dataclass
class LoadedImage:
    """``rgb``: float32 (H, W, 3) RGB in [0, 255] (a grey image repeated on
    3 channels); ``alpha``: the original alpha plane or None; ``dtype``:
    uint8 / uint16; ``grey``: the file had one channel."""
    path: str
    rgb: np.ndarray
    alpha: Optional[np.ndarray]
    dtype: np.dtype
    grey: bool


def read_image(path: str) -> LoadedImage:
    """Read an 8/16-bit grey, RGB or RGBA image (cv2, any format it reads)
    through the decoder the dataset pipelines use
    (:func:`read_image_file`).

    Raises:
        UnreadableImageError: missing, empty, truncated, not decodable, not
            8/16-bit, or an unsupported channel count; the message names
            ``path``.
    """
    img = read_image_file(path)
    if img.dtype not in _MAX:
        raise UnreadableImageError(
            f'{path}: only 8- and 16-bit images are supported, got '
            f'{img.dtype}')
    scale = 255.0 / _MAX[img.dtype]
    alpha, grey = None, False
    if img.ndim == 2 or img.shape[2] == 1:
        grey = True
        plane = img.reshape(img.shape[0], img.shape[1])
        rgb = np.repeat(plane[..., None], 3, axis=2)
    elif img.shape[2] == 3:
        rgb = img[..., ::-1]
    elif img.shape[2] == 4:
        rgb, alpha = img[..., 2::-1], img[..., 3].copy()
    else:
        raise UnreadableImageError(f'{path}: {img.shape[2]} channels; only '
                                   'grey, RGB and RGBA are supported')
    rgb = rgb.astype(np.float32) * np.float32(scale)
    return LoadedImage(path, np.ascontiguousarray(rgb), alpha, img.dtype, grey)


def to_output_array(rgb: np.ndarray, like: LoadedImage) -> np.ndarray:
    """The restored RGB float (H, W, 3) in [0, 255] as an array cv2 writes
    in the input's layout: same bit depth, grey if the input was grey (the
    mean of the 3 restored channels), alpha appended if it had one."""
    peak = _MAX[np.dtype(like.dtype)]
    out = np.clip(rgb * np.float32(peak / 255.0), 0, peak)
    out = np.round(out).astype(like.dtype)
    if like.grey:
        grey = np.round(np.clip(rgb.mean(axis=2) * (peak / 255.0), 0, peak))
        return grey.astype(like.dtype)
    bgr = out[..., ::-1]
    if like.alpha is not None:
        if like.alpha.shape != out.shape[:2]:
            raise ValueError(f'{like.path}: output size {out.shape[:2]} '
                             'differs from the alpha plane '
                             f'{like.alpha.shape}; alpha pass-through needs '
                             'a same-size model (not SR)')
        return np.ascontiguousarray(np.dstack([bgr, like.alpha]))
    return np.ascontiguousarray(bgr)


def write_image(path: str, array: np.ndarray) -> None:
    """Write (creating folders); raises OSError naming the path on failure
    (e.g. a format that cannot hold 16 bits, such as JPEG)."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    ext = osp.splitext(path)[1].lower()
    if array.dtype == np.uint16 and ext in EIGHT_BIT_ONLY:
        raise OSError(f'{path}: {ext} cannot hold a 16-bit image; choose '
                      'another output extension (e.g. --ext .png)')
    params = [cv2.IMWRITE_JPEG_QUALITY, 95] if ext in ('.jpg', '.jpeg') \
        else []
    if not cv2.imwrite(path, array, params):
        raise OSError(f'cannot write image file: {path}')


def list_inputs(source: str, recursive: bool = False) -> List[str]:
    """The files an input argument names: one file, a folder (its files
    with an image extension, sorted; subfolders with ``recursive``), or a
    glob pattern (every matching file, whatever its extension, so that an
    unreadable match is reported rather than silently ignored).

    Raises:
        FileNotFoundError: the path does not exist / the pattern matches
            nothing; the message names it.
    """
    if osp.isfile(source):
        return [source]
    if osp.isdir(source):
        pattern = '**/*' if recursive else '*'
        files = [p for p in glob.glob(osp.join(source, pattern),
                                      recursive=recursive)
                 if osp.isfile(p) and p.lower().endswith(IMAGE_EXTENSIONS)]
        return sorted(files)
    if glob.has_magic(source):
        files = sorted(p for p in glob.glob(source, recursive=True)
                       if osp.isfile(p))
        if not files:
            raise FileNotFoundError(f'no file matches the pattern: {source}')
        return files
    raise FileNotFoundError(f'input not found (no such file, folder or '
                            f'glob match): {source}')


def glob_root(pattern: str) -> str:
    """The folder a glob pattern's matches lie under: its leading path
    components without wildcards ('a/*/x.png' -> 'a', '*.png' -> '.')."""
    fixed = []
    for part in pattern.split(os.sep):
        if glob.has_magic(part):
            break
        fixed.append(part)
    if len(fixed) == len(pattern.split(os.sep)):  # no wildcard at all
        fixed = fixed[:-1]
    return os.sep.join(fixed) or ('/' if pattern.startswith(os.sep) else '.')


def relative_name(path: str, source: str) -> str:
    """The output name of ``path``: relative to the input folder (keeps
    subfolders) or to the fixed folder of a glob pattern (so that
    'shots/*/x.png' keeps 'day/x.png' and 'night/x.png' apart), else its
    base name."""
    if osp.isdir(source):
        return osp.relpath(path, source)
    if not osp.isfile(source) and glob.has_magic(source):
        return osp.relpath(path, glob_root(source))
    return osp.basename(path)


# Output formats that store 8 bits per channel only.
EIGHT_BIT_ONLY = ('.jpg', '.jpeg', '.bmp', '.webp')


def image_bit_depth(path: str) -> int:
    """Bits per channel from the file header (PNG: IHDR; TIFF, PNM: PIL's
    header read), without decoding pixels; 8 for other formats and for a
    header that cannot be read (the run reports such a file itself)."""
    ext = osp.splitext(path)[1].lower()
    try:
        if ext == '.png':
            with open(path, 'rb') as f:
                head = f.read(25)
            if head[:8] == b'\x89PNG\r\n\x1a\n' and head[12:16] == b'IHDR':
                return head[24]
            return 8
        if ext in ('.tif', '.tiff', '.ppm', '.pgm'):
            from PIL import Image
            with Image.open(path) as im:
                bits = getattr(im, 'tag_v2', {}).get(258)
                if bits:
                    return max(bits) if isinstance(bits, tuple) else bits
                return 16 if im.mode.startswith('I;16') or im.mode == 'I' \
                    else 8
    except (OSError, ValueError):
        return 8
    return 8
