"""Pieces shared by the benchmark scripts: side-by-side latency and
per-image PSNR/SSIM of a model on a test dataset."""
import statistics
import time
from typing import Callable, Dict, Optional


def interleaved_median(fns: Dict[str, Callable[[], object]],
                       repeats: int = 15) -> Dict[str, float]:
    """Median seconds of each callable over ``repeats`` rounds that run all
    of them one after the other (so machine load drifts hit every arm the
    same way), after one warm-up call each."""
    import torch
    times = {k: [] for k in fns}
    with torch.no_grad():
        for f in fns.values():
            f()
        for _ in range(repeats):
            for k, f in fns.items():
                t0 = time.perf_counter()
                f()
                times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def psnr_ssim(model, dataset, limit: Optional[int] = None) -> tuple:
    """Mean (PSNR, SSIM) on RGB in 0-255 of ``model.val_step`` over the
    dataset's first ``limit`` samples (all by default)."""
    import torch
    from mmagic.evaluation.metrics.psnr import psnr
    from mmagic.evaluation.metrics.ssim import ssim
    from mmengine.dataset import pseudo_collate
    n = len(dataset) if limit is None else min(limit, len(dataset))
    scores = []
    for i in range(n):
        with torch.no_grad():
            [s] = model.val_step(pseudo_collate([dataset[i]]))
        gt, pred = s.gt_img.numpy(), s.output.pred_img.numpy()
        scores.append((psnr(gt, pred, input_order='CHW'),
                       ssim(gt, pred, input_order='CHW')))
    return tuple(statistics.mean(v) for v in zip(*scores))
