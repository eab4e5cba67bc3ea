"""mmagic's LoadImageFromFile with errors that name the file."""
import os.path as osp

import cv2
from mmagic.datasets.transforms import LoadImageFromFile as _MMagicLoad
from mmengine.fileio import get_file_backend

from mmdiffir.registry import TRANSFORMS
from mmdiffir.utils.image_file import (IMREAD_FLAGS, UnreadableImageError,
                                       decode_image)


@TRANSFORMS.register_module()
class LoadImageFromFile(_MMagicLoad):
    """Same arguments and behaviour as mmagic's ``LoadImageFromFile`` (it is
    registered under the same name in mmdiffir's scope, so every config uses
    it), plus:

    - with the cv2 decoder (the default, and every shipped config), bytes
      are decoded by :func:`mmdiffir.utils.image_file.decode_image`, the
      decoder tools/infer.py uses too: an empty, truncated or non-image
      file raises ``UnreadableImageError`` (an ``OSError``) naming the file
      (mmagic lets OpenCV's ``!buf.empty()`` / ``!_src.empty()`` assertion
      through, which names nothing); other decoders (pillow, turbojpeg) go
      through mmcv and their errors are wrapped the same way;
    - a pair whose ``gt`` is not an integer multiple of the already loaded
      ``img`` in both sides (a GT/input size mismatch; SR pairs are exact
      multiples) raises ``ValueError`` naming both files.

    Documented conversions (mmagic's): ``color_type='color'`` gives 3
    channels, so grey images are repeated, an alpha channel is dropped and
    16-bit images are scaled to 8 bits; ``'unchanged'`` keeps them as they
    are.
    """

    def transform(self, results: dict) -> dict:
        path = results.get(f'{self.key}_path')
        try:
            results = super().transform(results)
        except (FileNotFoundError, UnreadableImageError):
            raise
        except Exception as err:  # OpenCV / PIL decoding errors
            size = osp.getsize(path) if isinstance(path, str) and \
                osp.isfile(path) else None
            what = 'is empty' if size == 0 else \
                'is truncated or not an image'
            raise OSError(f'cannot read image {path}: the file {what} '
                          f'({type(err).__name__}: '
                          f'{str(err).strip().splitlines()[-1]})') from err
        if self.key == 'gt' and results.get('img') is not None:
            self._check_pair(results)
        return results

    def _load_image(self, filename):
        if self.imdecode_backend not in (None, 'cv2') or (
                self.backend_args or {}).get('backend') == 'lmdb':
            return super()._load_image(filename)
        if self.file_backend is None:
            self.file_backend = get_file_backend(
                uri=filename, backend_args=self.backend_args)
        content = self.cache.get(filename)
        if content is None:
            content = self.file_backend.get(filename)
            if self.use_cache:
                self.cache[filename] = content
        flag = IMREAD_FLAGS[self.color_type] if isinstance(
            self.color_type, str) else self.color_type
        img = decode_image(content, filename, flag)
        # the conversion mmcv.imfrombytes applies for the cv2 decoder
        if flag == cv2.IMREAD_COLOR and self.channel_order == 'rgb':
            img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        return img

    @staticmethod
    def _check_pair(results: dict) -> None:
        (gh, gw), (ih, iw) = results['gt'].shape[:2], results['img'].shape[:2]
        if gh % ih or gw % iw or gh // ih != gw // iw:
            raise ValueError(
                f'input/GT size mismatch: {results.get("img_path")} is '
                f'{ih}x{iw}, {results.get("gt_path")} is {gh}x{gw} (the GT '
                'must be the input size, or an integer multiple of it for '
                'super-resolution)')
