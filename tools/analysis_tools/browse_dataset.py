"""Write degraded | clean grids of a config's dataset, as its pipeline makes
them: the quickest way to see what a degradation does (or that a data
layout pairs the right files).

    python tools/analysis_tools/browse_dataset.py CONFIG
        [--split train|val|test] [--loader 0] [--num 8] [--out-dir DIR]
        [--cfg-options k=v ...]

One PNG per sample, named after its file (and task, for multi-task
datasets), each panel labelled. Random degradations are drawn as in
training (the dataset's own seeding).
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from mmdiffir.utils.config import add_common_args, load_config  # noqa: E402
from mmdiffir.visualization import side_by_side  # noqa: E402


def parse_args(argv=None):
    parser = add_common_args(argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter))
    parser.add_argument('--split', choices=['train', 'val', 'test'],
                        default='train', help='which dataloader (default '
                        'train)')
    parser.add_argument('--loader', type=int, default=0,
                        help='index of the loader when the split has several '
                        '(one per benchmark)')
    parser.add_argument('--num', type=int, default=8,
                        help='samples to write (default 8)')
    parser.add_argument('--out-dir', help='default: '
                        'work_dirs/browse_dataset/<config name>/<split>')
    return parser.parse_args(argv)


def to_bgr_uint8(tensor, channel_order: str) -> np.ndarray:
    """A packed CHW image tensor (0-255) -> HWC BGR uint8 for cv2."""
    img = tensor.detach().cpu().float().numpy()
    img = np.clip(np.round(img), 0, 255).astype(np.uint8).transpose(1, 2, 0)
    if img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
    if channel_order == 'rgb':
        img = img[..., ::-1]
    return np.ascontiguousarray(img)


def loader_cfg(cfg, split: str, index: int):
    loader = cfg.get(f'{split}_dataloader')
    if not loader:
        raise KeyError(f'the config has no {split}_dataloader')
    if isinstance(loader, (list, tuple)):
        if not 0 <= index < len(loader):
            raise IndexError(f'{split}_dataloader has {len(loader)} loaders; '
                             f'--loader {index} is out of range')
        loader = loader[index]
    return loader


def main(argv=None) -> list:
    """Returns the written files."""
    args = parse_args(argv)
    from mmdiffir.registry import DATASETS
    from mmdiffir.utils import register_all_modules
    register_all_modules()
    cfg = load_config(args)
    dataset = DATASETS.build(loader_cfg(cfg, args.split, args.loader).dataset)
    out_dir = args.out_dir or osp.join(
        'work_dirs', 'browse_dataset',
        osp.splitext(osp.basename(args.config))[0], args.split)
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for i in range(min(args.num, len(dataset))):
        sample = dataset[i]
        meta = sample['data_samples'].metainfo
        order = meta.get('gt_channel_order', meta.get('img_channel_order',
                                                     'bgr'))
        panels = []
        inputs = sample['inputs']
        if inputs is not None and hasattr(inputs, 'shape'):
            panels.append(('degraded input', to_bgr_uint8(inputs, order)))
        gt = sample['data_samples'].get('gt_img')
        if gt is not None:
            gt = gt.data if hasattr(gt, 'data') else gt
            panels.append(('clean GT', to_bgr_uint8(gt, order)))
        if not panels:
            raise KeyError(f'sample {i} has neither an input nor a GT image')
        source = meta.get('gt_path') or meta.get('img_path') or f'{i:04d}'
        stem = osp.splitext(osp.basename(str(source)))[0]
        title = osp.basename(str(source))
        task = meta.get('task')
        if task is not None:
            title = f'{task} (t_mat {meta.get("t_mat")}): {title}'
            stem = f'{task}_{stem}'
        path = osp.join(out_dir, f'{i:04d}_{stem}.png')
        if not cv2.imwrite(path, side_by_side(panels, title, min_width=192)):
            raise OSError(f'cannot write {path}')
        written.append(path)
    print(f'wrote {len(written)} grid(s) to {out_dir}')
    return written


if __name__ == '__main__':
    main()
