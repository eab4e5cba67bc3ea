"""Clean photos for on-the-fly synthetic pairs (the degradation transforms
turn ``gt`` into ``img``), including a real set bundled with scikit-image."""
import os.path as osp
from typing import List, Optional, Sequence, Union

from mmengine.dataset import BaseDataset

from mmdiffir.registry import DATASETS
from .keyed_draws import DrawKeyedDataset
from .paired_image_dataset import list_images


@DATASETS.register_module()
class CleanImageDataset(DrawKeyedDataset, BaseDataset):
    """Every image in one or more folders, as ``dict(key, gt_path)``.

    Args:
        data_root (str): root folder.
        data_prefix (dict): ``gt``: a folder or a list of folders relative to
            ``data_root`` (e.g. ``['train/T91', 'train/Train400']``).
        recursive (bool): scan sub-folders too.
        names (list[str], optional): keep only these file stems (in order).

    The key (used by seeded degradations) is ``folder/stem`` so that test sets
    get the same synthetic degradation whatever the loading order.
    """
    METAINFO = dict(dataset_type='clean_images', task_name='restoration')

    def __init__(self, data_root: str = '',
                 data_prefix: Optional[dict] = None,
                 recursive: bool = False,
                 names: Optional[Sequence[str]] = None, **kwargs):
        gt = (data_prefix or {}).get('gt', '')
        self.gt_dirs: List[str] = [gt] if isinstance(gt, str) else list(gt)
        self.recursive = recursive
        self.names = list(names) if names is not None else None
        if data_root and not osp.isdir(data_root):
            raise FileNotFoundError(f'{type(self).__name__}: data_root does '
                                    f'not exist: {data_root}')
        super().__init__(data_root=data_root, data_prefix=dict(), **kwargs)

    def load_data_list(self) -> List[dict]:
        data = []
        for sub in self.gt_dirs:
            folder = osp.join(self.data_root, sub) if self.data_root else sub
            files = list_images(folder, self.recursive)
            if not files:
                raise FileNotFoundError(f'no images found in {folder}')
            for rel in files:
                stem = osp.splitext(rel)[0]
                data.append(dict(key=f'{osp.basename(osp.normpath(sub))}/{stem}'
                                 if sub else stem,
                                 gt_path=osp.join(folder, rel)))
        if self.names is not None:
            by_stem = {}
            for d in data:
                by_stem.setdefault(
                    osp.splitext(osp.basename(d['gt_path']))[0], []).append(d)
            missing = [n for n in self.names if n not in by_stem]
            if missing:
                raise FileNotFoundError(
                    f'{type(self).__name__}: images not found under '
                    f'{self.data_root}/{self.gt_dirs}: {missing}')
            ambiguous = [d['gt_path'] for n in self.names
                         if len(by_stem[n]) > 1 for d in by_stem[n]]
            if ambiguous:
                raise ValueError(f'{type(self).__name__}: several images match '
                                 f'the requested names: {ambiguous}')
            data = [by_stem[n][0] for n in self.names]
        return data


def skimage_data_dir() -> str:
    """Folder of the photos bundled inside the installed scikit-image."""
    import skimage
    return osp.join(osp.dirname(skimage.__file__), 'data')


# Real photos shipped in scikit-image's wheel (CC0 / public domain, see
# skimage/data/README.txt), split so the demo tests on photos it never saw.
SKIMAGE_TRAIN = ('astronaut', 'hubble_deep_field', 'ihc', 'motorcycle_left',
                 'retina', 'rocket', 'brick', 'grass', 'gravel')
SKIMAGE_TEST = ('chelsea', 'coffee', 'camera')


@DATASETS.register_module()
class EmbeddedPhotoDataset(CleanImageDataset):
    """A small real set that needs nothing but the install: scikit-image's
    bundled photos. ``split='train'`` or ``'test'`` (disjoint), or ``names``.
    Grey photos load as 3 equal channels with ``color_type='color'``."""
    METAINFO = dict(dataset_type='skimage_photos', task_name='restoration')

    def __init__(self, split: str = 'train',
                 names: Optional[Union[Sequence[str]]] = None, **kwargs):
        if names is None:
            if split not in ('train', 'test'):
                raise ValueError(f'split must be "train" or "test", got '
                                 f'{split!r}')
            names = SKIMAGE_TRAIN if split == 'train' else SKIMAGE_TEST
        kwargs.pop('data_root', None)
        super().__init__(data_root=skimage_data_dir(), names=names, **kwargs)
