"""Shared fixtures: real photos (the project's shared data set when it is
there, else scikit-image's bundled photos) and one-off module registration.
"""
import os
import os.path as osp
from pathlib import Path
from typing import List, Optional

import cv2
import numpy as np
import pytest

# ../shared/data next to the repository (see its README), or an override.
_SHARED = Path(os.environ.get(
    'MMDIFFIR_SHARED_DATA',
    Path(__file__).resolve().parents[2] / 'shared' / 'data'))

# Small crops keep every test fast; all photos are at least this large.
PHOTO_HW = (96, 128)


def _centre_crop(img: np.ndarray, hw=PHOTO_HW) -> np.ndarray:
    h, w = img.shape[:2]
    th, tw = min(hw[0], h), min(hw[1], w)
    top, left = (h - th) // 2, (w - tw) // 2
    return np.ascontiguousarray(img[top:top + th, left:left + tw])


def _read_rgb(path: str) -> np.ndarray:
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise OSError(f'cannot read image {path}')
    return bgr[..., ::-1]


@pytest.fixture(scope='session')
def shared_data() -> Optional[Path]:
    """The shared real-data folder, or None when this checkout lacks it."""
    return _SHARED if _SHARED.is_dir() else None


def _photo_paths(shared: Optional[Path]) -> List[str]:
    if shared is not None:
        paths = []
        for sub, n in (('denoise/CBSD68', 3), ('denoise/Kodak24', 2)):
            folder = shared / sub
            if folder.is_dir():
                names = sorted(p for p in os.listdir(folder)
                               if p.lower().endswith('.png'))
                paths += [str(folder / p) for p in names[:n]]
        if len(paths) >= 3:
            return paths
    from mmdiffir.datasets import skimage_data_dir
    root = skimage_data_dir()
    return [osp.join(root, f) for f in ('astronaut.png', 'chelsea.png',
                                         'coffee.png', 'motorcycle_left.png')]


@pytest.fixture(scope='session')
def real_photos(shared_data) -> List[np.ndarray]:
    """At least 3 real photos: RGB uint8, centre crops of PHOTO_HW (read-only
    so that a test cannot alter them for the others)."""
    photos = []
    for path in _photo_paths(shared_data):
        img = _centre_crop(_read_rgb(path))
        img.setflags(write=False)
        photos.append(img)
    return photos


@pytest.fixture(scope='session')
def save_rgb():
    """save_rgb(path, rgb_uint8): write an RGB array (creating folders)."""

    def save(path, rgb):
        path = str(path)
        os.makedirs(osp.dirname(path), exist_ok=True)
        img = rgb[..., ::-1] if rgb.ndim == 3 else rgb
        params = [cv2.IMWRITE_JPEG_QUALITY, 100] if path.lower().endswith(
            ('.jpg', '.jpeg')) else []
        assert cv2.imwrite(path, np.ascontiguousarray(img), params), path
        return path

    return save


@pytest.fixture(scope='session')
def registered():
    """mmagic's and mmdiffir's modules registered, default scope mmdiffir
    (slow: once per session)."""
    from mmdiffir.utils import register_all_modules
    register_all_modules()
    return True


@pytest.fixture
def train_root(shared_data, tmp_path, real_photos, save_rgb) -> Path:
    """A folder with T91/ and Train400/ subfolders of clean photos (the CPU
    configs' training layout): ../shared/data/train, or the real photos
    written into both when the shared data is absent."""
    if shared_data is not None and (shared_data / 'train' / 'T91').is_dir():
        return shared_data / 'train'
    for i, img in enumerate(real_photos):
        for sub in ('T91', 'Train400'):
            save_rgb(tmp_path / 'photos' / sub / f'{i}.png', img)
    return tmp_path / 'photos'
