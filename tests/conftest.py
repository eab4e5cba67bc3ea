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
# MMDIFFIR_NO_SHARED_DATA=1 makes every fixture behave as on a machine
# without it (a fresh clone): .ci/run runs the suite both ways.
_SHARED = Path(os.environ.get(
    'MMDIFFIR_SHARED_DATA',
    Path(__file__).resolve().parents[2] / 'shared' / 'data'))
_HIDE_SHARED = os.environ.get('MMDIFFIR_NO_SHARED_DATA', '') not in ('', '0')

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
    """The shared real-data folder, or None when this checkout lacks it
    (or MMDIFFIR_NO_SHARED_DATA is set)."""
    return _SHARED if _SHARED.is_dir() and not _HIDE_SHARED else None


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
def train_root(data_tree) -> Path:
    """A folder with T91/ and Train400/ subfolders of clean photos (the CPU
    configs' training layout): ../shared/data/train or its stand-in."""
    return data_tree / 'train'


# The parts of the shared data's layout that the CPU configs and the runner
# tests read; data_tree builds them from the embedded photos when needed.
STAND_IN_PHOTO_DIRS = ('train/T91', 'train/Train400', 'denoise/Kodak24',
                       'denoise/CBSD68')
LEVIN_KERNELS = 'deblur/kernels/Levin09.mat'


@pytest.fixture(scope='session')
def data_tree(shared_data, tmp_path_factory, real_photos) -> Path:
    """A folder laid out like ../shared/data for what the CPU configs read
    (``STAND_IN_PHOTO_DIRS`` and ``LEVIN_KERNELS``): the shared data itself,
    or, without it, a stand-in: the embedded real photos in each photo
    folder and three camera-shake-like kernels in Levin09.mat's HDF5 format.
    Tests that need the real files themselves (published LR images, the
    real kernels) use ``shared_data`` and skip, naming them."""
    if shared_data is not None and all(
            (shared_data / d).is_dir() for d in STAND_IN_PHOTO_DIRS) and \
            (shared_data / LEVIN_KERNELS).is_file():
        return shared_data
    from tests.kernel_files import asymmetric_kernels, write_matlab_v73
    root = tmp_path_factory.mktemp('data_tree')
    for sub in STAND_IN_PHOTO_DIRS:
        (root / sub).mkdir(parents=True)
        for i, img in enumerate(real_photos):
            assert cv2.imwrite(str(root / sub / f'photo{i}.png'),
                               np.ascontiguousarray(img[..., ::-1]))
    (root / LEVIN_KERNELS).parent.mkdir(parents=True)
    write_matlab_v73(root / LEVIN_KERNELS, asymmetric_kernels())
    return root
