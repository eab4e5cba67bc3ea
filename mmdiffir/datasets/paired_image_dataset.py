"""Paired (degraded, clean) image datasets matched by file stem.

Why not mmagic's ``BasicImageDataset``: it derives the GT path from the input
path with a filename template and the *same extension*, and silently yields
missing files. Published IR test sets pair ``rain-001.png`` with
``norain-001.png``, ``0001_0.8_0.2.jpg`` (SOTS hazy) with ``0001.png``, and
nest GoPro pairs per sequence; an unmatched file must be an error that names
it, not a crash deep inside the pipeline.
"""
import glob
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence

from mmengine.dataset import BaseDataset

from mmdiffir.registry import DATASETS
from .keyed_draws import DrawKeyedDataset

IMG_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.ppm',
                  '.webp')


def list_images(folder: str, recursive: bool = False) -> List[str]:
    """Image files under ``folder`` (sorted, relative paths)."""
    if not osp.isdir(folder):
        raise FileNotFoundError(f'image folder does not exist: {folder}')
    found = []
    # followlinks: data/ is usually a tree of symlinks to the real sets.
    for root, _, files in os.walk(folder, followlinks=True):
        for name in files:
            if name.lower().endswith(IMG_EXTENSIONS):
                found.append(osp.relpath(osp.join(root, name), folder))
        if not recursive:
            break
    return sorted(found)


def _expand_prefix(data_root: str, prefix: str) -> Dict[str, str]:
    """Folders matched by ``prefix`` (which may hold glob wildcards such as
    ``'*/blur'`` for GoPro), keyed by the part the wildcards matched."""
    pattern = osp.join(data_root, prefix) if data_root else prefix
    if not glob.has_magic(prefix):
        return {'': pattern}
    folders = sorted(p for p in glob.glob(pattern) if osp.isdir(p))
    if not folders:
        raise FileNotFoundError(f'no folder matches {pattern}')
    # The wildcard-matched components identify the sub-set (e.g. a sequence).
    # A wildcard never spans a separator, so the last len(parts) components
    # of each match line up with the prefix's, whether the prefix is relative
    # to data_root or absolute (comparing paths relative to data_root or the
    # cwd misaligned absolute prefixes and merged all sequences into one).
    parts = osp.normpath(prefix).split(os.sep)
    keyed: Dict[str, str] = {}
    for folder in folders:
        comps = osp.normpath(folder).split(os.sep)[-len(parts):]
        sub = '/'.join(c for c, p in zip(comps, parts) if glob.has_magic(p))
        if sub in keyed:
            raise ValueError(f'folders {keyed[sub]} and {folder} (matched by '
                             f'{pattern}) give the same sub-set key {sub!r}')
        keyed[sub] = folder
    return keyed


def scan_keyed_files(data_root: str, prefix: str, key_regex: str,
                     recursive: bool, what: str) -> Dict[str, List[str]]:
    """Map pairing key -> image paths for one side of a pair.

    The key is the wildcard part of the folder plus group 1 of ``key_regex``
    matched against the file stem (the whole stem when the regex has no group).
    """
    regex = re.compile(key_regex)
    keyed: Dict[str, List[str]] = {}
    bad = []
    for sub, folder in _expand_prefix(data_root, prefix).items():
        files = list_images(folder, recursive)
        for rel in files:
            stem = osp.splitext(rel)[0]
            m = regex.fullmatch(stem)
            if m is None:
                bad.append(osp.join(folder, rel))
                continue
            key = m.group(1) if regex.groups else stem
            keyed.setdefault(f'{sub}/{key}' if sub else key,
                             []).append(osp.join(folder, rel))
    if bad:
        raise ValueError(
            f'{len(bad)} {what} file(s) do not match key_regex '
            f'{key_regex!r}: {_short(bad)}')
    if not keyed:
        raise FileNotFoundError(
            f'no {what} images found under {osp.join(data_root, prefix)} '
            f'(extensions {IMG_EXTENSIONS})')
    return keyed


def _short(items: Sequence[str], n: int = 10) -> str:
    items = list(items)
    more = f' ... and {len(items) - n} more' if len(items) > n else ''
    return ', '.join(items[:n]) + more


@DATASETS.register_module()
class PairedImageDataset(DrawKeyedDataset, BaseDataset):
    """Degraded/clean pairs from two folders, matched by a key of the stem.

    Each item: ``dict(key, img_path, gt_path)`` for mmagic's
    ``LoadImageFromFile(key='img'|'gt')``.

    Args:
        data_root (str): root folder of the set.
        data_prefix (dict): ``img`` and ``gt`` folders relative to
            ``data_root``; may contain wildcards (``'*/blur'``).
        key_regex (dict): per side, a regex fully matched against each file
            stem; group 1 is the pairing key. Default: the whole stem.
        many_to_one (bool): several inputs may share one GT (RESIDE SOTS has
            several hazy versions of a clear image). Otherwise each key must
            appear once on each side.
        recursive (bool): scan sub-folders too.

    Raises a ``ValueError`` naming the files of either side that have no
    partner, and ``FileNotFoundError`` for missing or empty folders.
    """
    METAINFO = dict(dataset_type='paired', task_name='restoration')
    default_prefix = dict(img='input', gt='target')
    default_key_regex = dict(img=r'(.+)', gt=r'(.+)')

    def __init__(self,
                 data_root: str = '',
                 data_prefix: Optional[dict] = None,
                 key_regex: Optional[dict] = None,
                 many_to_one: bool = False,
                 recursive: bool = False,
                 **kwargs):
        self.pair_prefix = {**self.default_prefix, **(data_prefix or {})}
        self.key_regex = {**self.default_key_regex, **(key_regex or {})}
        self.many_to_one = many_to_one
        self.recursive = recursive
        if data_root and not osp.isdir(data_root):
            raise FileNotFoundError(
                f'{type(self).__name__}: data_root does not exist: '
                f'{data_root}')
        # data_prefix is resolved here, not by BaseDataset (it would join
        # wildcards into paths it then treats as literal).
        super().__init__(data_root=data_root, data_prefix=dict(), **kwargs)

    def load_data_list(self) -> List[dict]:
        sides = {
            side: scan_keyed_files(self.data_root, self.pair_prefix[side],
                                   self.key_regex[side], self.recursive,
                                   f'{type(self).__name__} {side}')
            for side in ('img', 'gt')
        }
        img, gt = sides['img'], sides['gt']
        no_gt = [p for k in sorted(set(img) - set(gt)) for p in img[k]]
        no_img = [p for k in sorted(set(gt) - set(img)) for p in gt[k]]
        problems = []
        if no_gt:
            problems.append(f'{len(no_gt)} input file(s) have no GT: '
                            f'{_short(no_gt)}')
        if no_img:
            problems.append(f'{len(no_img)} GT file(s) have no input: '
                            f'{_short(no_img)}')
        dup = [p for k, v in gt.items() if len(v) > 1 for p in v]
        if not self.many_to_one:
            dup += [p for k, v in img.items() if len(v) > 1 for p in v]
        if dup:
            problems.append(f'ambiguous pairing, several files share a key: '
                            f'{_short(dup)}')
        if problems:
            raise ValueError(f'{type(self).__name__} at {self.data_root}: ' +
                             '; '.join(problems))
        data = []
        for key in sorted(img):
            for path in img[key]:
                data.append(dict(key=key if len(img[key]) == 1 else
                                 osp.splitext(osp.basename(path))[0],
                                 img_path=path, gt_path=gt[key][0]))
        return data


@DATASETS.register_module()
class Rain100Dataset(PairedImageDataset):
    """Rain100L / Rain100H: ``rainy/rain-001.png`` with ``norain/norain-001.png``
    (the ``rain-``/``norain-`` prefixes are optional)."""
    METAINFO = dict(dataset_type='Rain100', task_name='derain')
    default_prefix = dict(img='rainy', gt='norain')
    default_key_regex = dict(img=r'(?:rain-)?(.+)', gt=r'(?:norain-)?(.+)')


@DATASETS.register_module()
class SOTSDataset(PairedImageDataset):
    """RESIDE SOTS (indoor/outdoor): ``hazy/0001_0.8_0.2.jpg`` (or
    ``1400_1.png``) with ``gt/0001.png``; several hazy images per GT."""
    METAINFO = dict(dataset_type='SOTS', task_name='dehaze')
    default_prefix = dict(img='hazy', gt='gt')
    default_key_regex = dict(img=r'([^_]+)_.*', gt=r'(.+)')

    def __init__(self, many_to_one: bool = True, **kwargs):
        super().__init__(many_to_one=many_to_one, **kwargs)


@DATASETS.register_module()
class LOLDataset(PairedImageDataset):
    """LOL-v1 (``eval15/low``, ``eval15/high``; data_root is the split folder)
    and LOL-v2 (``Low/low00690.png`` with ``Normal/normal00690.png``: pass
    ``data_prefix=dict(img='Low', gt='Normal')``; the prefixes are stripped)."""
    METAINFO = dict(dataset_type='LOL', task_name='lowlight')
    default_prefix = dict(img='low', gt='high')
    default_key_regex = dict(img=r'(?:low)?(.+)', gt=r'(?:normal)?(.+)')


@DATASETS.register_module()
class GoProDataset(PairedImageDataset):
    """GoPro (and HIDE in its GoPro-like export): per-sequence folders
    ``GOPR0384_11_00/blur/000001.png`` with ``.../sharp/000001.png``."""
    METAINFO = dict(dataset_type='GoPro', task_name='deblur')
    default_prefix = dict(img='*/blur', gt='*/sharp')


@DATASETS.register_module()
class Snow100KDataset(PairedImageDataset):
    """Snow100K (-S/-M/-L): ``synthetic/xxx.jpg`` with ``gt/xxx.jpg``."""
    METAINFO = dict(dataset_type='Snow100K', task_name='desnow')
    default_prefix = dict(img='synthetic', gt='gt')


@DATASETS.register_module()
class RealSnowDataset(PairedImageDataset):
    """RealSnow (WGWS-Net, CVPR 2023: real snowy/clean pairs from
    background-static videos) as its release and test script lay it out:
    ``video2imgs_IN_testing_re/<name>`` with ``video2imgs_GT_testing_re/
    <name>`` (same file name on both sides; the training split uses the
    ``..._training_re`` folders: pass them in ``data_prefix``)."""
    METAINFO = dict(dataset_type='RealSnow', task_name='desnow')
    default_prefix = dict(img='video2imgs_IN_testing_re',
                          gt='video2imgs_GT_testing_re')


@DATASETS.register_module()
class REVIDEDataset(PairedImageDataset):
    """REVIDE (Zhang et al., CVPR 2021, real hazy/clear video frames) in its
    released layout, per split (``Train`` or ``Test`` is the data_root):
    ``hazy/<video>/<frame>.JPG`` with ``gt/<video>/<frame>.JPG``; frames
    pair within their video. The flat re-export of WGWS-Net
    (``hazy_re/``, ``gt_re/``) works with ``data_prefix=dict(img='hazy_re',
    gt='gt_re')``."""
    METAINFO = dict(dataset_type='REVIDE', task_name='dehaze')
    default_prefix = dict(img='hazy/*', gt='gt/*')
