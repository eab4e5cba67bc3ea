"""mmagic's LoadImageFromFile with errors that name the file."""
import os.path as osp

from mmagic.datasets.transforms import LoadImageFromFile as _MMagicLoad

from mmdiffir.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadImageFromFile(_MMagicLoad):
    """Same arguments and behaviour as mmagic's ``LoadImageFromFile`` (it is
    registered under the same name in mmdiffir's scope, so every config uses
    it), plus:

    - an empty, truncated or non-image file raises ``OSError`` naming the
      file (mmagic lets OpenCV's ``!buf.empty()`` / ``!_src.empty()``
      assertion through, which names nothing);
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
        except FileNotFoundError:
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

    @staticmethod
    def _check_pair(results: dict) -> None:
        (gh, gw), (ih, iw) = results['gt'].shape[:2], results['img'].shape[:2]
        if gh % ih or gw % iw or gh // ih != gw // iw:
            raise ValueError(
                f'input/GT size mismatch: {results.get("img_path")} is '
                f'{ih}x{iw}, {results.get("gt_path")} is {gh}x{gw} (the GT '
                'must be the input size, or an integer multiple of it for '
                'super-resolution)')
