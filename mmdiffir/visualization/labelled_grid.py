"""Input | output | GT grids that say what they show.

mmagic's ``ConcatImageVisualizer`` names a grid after its GT file only and
draws no labels: in the all-in-one test the six tasks read the same Kodak24
files, so each task's grid overwrites the previous one (only the last task
remains), and a grid does not say which panel is which or how good the
output is. This subclass is registered under the same name in mmdiffir's
scope (so every config's ``visualizer`` uses it) and

- prefixes the file name with the sample's task (``metainfo['task']``,
  set by MultiTaskDataset) or, for other datasets, its folder name (the
  benchmark);
- labels each panel (input / output / GT) and titles the grid with the
  file, the task and the output's PSNR against the GT (8-bit RGB, whole
  image; the table's metrics may crop borders or use Y).
"""
import os.path as osp
import re

import cv2
import numpy as np
import torch
from mmagic.visualization import ConcatImageVisualizer as _MMagicConcat

from mmdiffir.registry import VISUALIZERS

PANEL_NAMES = {'input': 'input', 'pred_img': 'output', 'gt_img': 'GT'}
STRIP = 22  # height of a label strip in pixels


def labelled(img: np.ndarray, text: str) -> np.ndarray:
    """``img`` (H, W, 3 uint8) under a white strip carrying ``text``."""
    strip = np.full((STRIP, img.shape[1], 3), 255, np.uint8)
    cv2.putText(strip, text, (3, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                (0, 0, 0), 1, cv2.LINE_AA)
    return np.vstack([strip, img])


def side_by_side(panels, title: str, min_width: int = 0) -> np.ndarray:
    """[(label, image)] in a row (padded to one height, 4-pixel gaps), each
    labelled, under ``title``. Panels narrower than ``min_width`` are
    enlarged by an integer factor (nearest neighbour) so that labels fit."""
    widest = max(p.shape[1] for _, p in panels)
    factor = max(1, -(-min_width // widest)) if min_width else 1
    if factor > 1:
        panels = [(t, cv2.resize(p, None, fx=factor, fy=factor,
                                 interpolation=cv2.INTER_NEAREST))
                  for t, p in panels]
    height = max(p.shape[0] for _, p in panels)
    row = []
    for label, img in panels:
        pad = np.full((height - img.shape[0], img.shape[1], 3), 255, np.uint8)
        row.append(labelled(np.vstack([img, pad]), label))
        row.append(np.full((height + STRIP, 4, 3), 255, np.uint8))
    return labelled(np.hstack(row[:-1]), title)


def psnr_uint8(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float('inf') if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def _to_uint8_hwc(img) -> np.ndarray:
    if isinstance(img, dict) and 'data' in img:
        img = img['data']
    if isinstance(img, torch.Tensor):
        img = img.detach().cpu().float().numpy()
        img = img.transpose(1, 2, 0) if img.ndim == 3 else img
    if img.ndim == 2:
        img = img[..., None]
    if img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


@VISUALIZERS.register_module()
class ConcatImageVisualizer(_MMagicConcat):
    """Same arguments as mmagic's; grids are labelled and named per task /
    benchmark (module docstring)."""

    def add_datasample(self, data_sample, step=0) -> None:
        merged = dict(data_sample.to_dict())
        merged.update(merged.get('output') or {})
        source = merged[self.fn_key]
        source = str(source[0] if isinstance(source, list) else source)
        stem = osp.splitext(osp.basename(source))[0]
        task = merged.get('task')
        prefix = str(task) if task is not None else \
            osp.basename(osp.dirname(source)) or 'images'
        images = {}
        for key in self.img_keys:
            if key in merged:
                img = _to_uint8_hwc(merged[key])
                images[key] = np.ascontiguousarray(
                    img[..., ::-1] if self.bgr2rgb else img)
        if not images:
            return
        title = f'{prefix}: {osp.basename(source)}'
        if task is not None and merged.get('t_mat') is not None:
            title += f' (t_mat {merged["t_mat"]})'
        if 'pred_img' in images and 'gt_img' in images and \
                images['pred_img'].shape == images['gt_img'].shape:
            psnr = psnr_uint8(images['pred_img'], images['gt_img'])
            title += f'   output PSNR {psnr:.2f} dB'
        grid = side_by_side(
            [(PANEL_NAMES.get(k, k), v) for k, v in images.items()], title,
            min_width=160)
        name = re.sub(r'[^\w.+-]', '_', f'{prefix}_{stem}')
        self.add_image(name, grid, step)
