r"""Build a paired folder DST/input + DST/target (PNG) from clean photos with
one of mmdiffir's registered degradation transforms.

The result is read by ``PairedImageDataset(data_root=DST)``; it is how CPU
stand-ins for Rain100L (RainStreaks), SOTS (Haze), LOL (LowLight) or noisy
test sets are made from the photos under ../shared/data.

Deterministic: the transform is built with ``seed`` and every image is keyed
``<folder name>/<stem>`` exactly as ``CleanImageDataset`` keys it, so the
written input equals (up to rounding to uint8) what a config degrading the
same folder on the fly with the same seed feeds the model.

Example:
  python tools/dataset_converters/make_synthetic_pairs.py \
      --src ../shared/data/denoise/Kodak24 --dst data/stand-ins/Kodak24_s25 \
      --degradation AddGaussianNoise --params '{"sigma": 25}' --seed 0
"""
import argparse
import json
import os
import os.path as osp
import sys

import cv2
import numpy as np

RESERVED = ('seed', 'key_in', 'key_out')  # set by this tool, not --params


def build_degradation(name, params, seed):
    from mmdiffir.utils import register_all_modules
    register_all_modules()
    from mmdiffir.datasets.transforms import Degradation
    from mmdiffir.registry import TRANSFORMS
    names = sorted(k for k, v in TRANSFORMS.module_dict.items()
                   if isinstance(v, type) and issubclass(v, Degradation))
    if name not in names:
        raise ValueError(f'unknown degradation {name!r}; one of {names}')
    if not isinstance(params, dict):
        raise ValueError(f'--params must be a JSON object, got {params!r}')
    bad = [k for k in RESERVED if k in params]
    if bad:
        raise ValueError(f'--params may not set {bad}: use --seed')
    return TRANSFORMS.build(
        dict(type=name, key_in='gt', key_out='img', seed=seed, **params))


def list_clean(src):
    """[(key, stem, path)] in CleanImageDataset's order and keys."""
    from mmdiffir.datasets import list_images
    folder = osp.basename(osp.normpath(osp.abspath(src)))
    out, seen = [], {}
    for rel in list_images(src):
        stem = osp.splitext(rel)[0]
        if stem in seen:  # a.png and a.jpg would both write a.png
            raise ValueError(f'two images share the stem {stem!r}: '
                             f'{seen[stem]} and {osp.join(src, rel)}')
        seen[stem] = osp.join(src, rel)
        out.append((f'{folder}/{stem}', stem, osp.join(src, rel)))
    if not out:
        raise FileNotFoundError(f'no images in {src}')
    return out


def load(path, grayscale):
    img = cv2.imread(path, cv2.IMREAD_GRAYSCALE if grayscale else
                     cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f'cannot read image {path}')
    return img if grayscale else cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def save(path, img):
    img = np.clip(np.round(img), 0, 255).astype(np.uint8)
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    if not cv2.imwrite(path, img):
        raise OSError(f'cannot write {path}')


def make_pairs(src, dst, degradation, params=None, seed=0, grayscale=False):
    """Returns the number of pairs written."""
    transform = build_degradation(degradation, params or {}, seed)
    items = list_clean(src)
    meta_path = osp.join(dst, 'degradation.json')
    outs = [osp.join(dst, side, f'{stem}.png') for _, stem, _ in items
            for side in ('input', 'target')] + [meta_path]
    # Checked before writing anything, so a refused run changes nothing.
    exist = [p for p in outs if osp.lexists(p)]
    if exist:
        raise FileExistsError(f'refusing to overwrite {exist[0]}' +
                              (f' (and {len(exist) - 1} more)'
                               if len(exist) > 1 else ''))
    for side in ('input', 'target'):
        os.makedirs(osp.join(dst, side), exist_ok=True)
    drawn = {}
    for key, stem, path in items:
        results = transform(dict(key=key, gt_path=path,
                                 gt=load(path, grayscale)))
        # Write the GT from results: BicubicDownsample crops it in place.
        save(osp.join(dst, 'input', f'{stem}.png'), results['img'])
        save(osp.join(dst, 'target', f'{stem}.png'), results['gt'])
        drawn[stem] = results['degradation'][-1]
    with open(meta_path, 'w') as f:
        json.dump(dict(src=osp.abspath(src), transform=repr(transform),
                       per_image=drawn), f, indent=1, default=float)
    print(f'wrote {len(items)} pairs to {dst}/input + {dst}/target '
          f'({transform!r})')
    return len(items)


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('--src', required=True, help='folder of clean photos')
    p.add_argument('--dst', required=True, help='output folder')
    p.add_argument('--degradation', required=True,
                   help='registered transform, e.g. AddGaussianNoise, Haze')
    p.add_argument('--params', default='{}',
                   help='JSON object of transform arguments')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--grayscale', action='store_true',
                   help='load as one channel (BSD68, Set12)')
    args = p.parse_args(argv)
    try:
        params = json.loads(args.params)
    except json.JSONDecodeError as err:
        raise ValueError(f'--params is not valid JSON: {err}') from err
    return make_pairs(args.src, args.dst, args.degradation, params, args.seed,
                      args.grayscale)


if __name__ == '__main__':
    try:
        main()
    except (FileExistsError, FileNotFoundError, ValueError) as err:
        sys.exit(f'error: {err}')
