"""t_mat from a pre-trained TMDDP model (METHODS.md §1.3, issue 13 item 5).

A TMDDP model ``f(., t)`` is a denoiser for every step t: at small t it
keeps the input almost as it is, at large t it removes as much as its
training noise ``sigmabar_t`` asked for. Run on the degraded images of a
task, the PSNR of ``f(y, t)`` against the clean images as a function of t
(the *restoration curve*) says how strong a prior the task calls for: a mild
degradation is restored best by a small t, a strong one by a large t.

The derived t_mat is the **smallest step whose restoration comes within
``rel_tol`` of the curve's range below its best PSNR**. Why not the plain
argmax: above t ~ 35 sigmabar_t is flat (9.9-10.0 / 255), the model's
outputs there differ by hundredths of a dB and the argmax among them is
noise; the smallest near-best step is the knee of the curve, stable from one
strength to the next. Why relative to the curve's range: a Gaussian
denoiser's gain on JPEG blocking or haze is a few hundredths of a dB, on
noise tenths to dBs; a fixed dB tolerance would flatten the former.

The value is on the TMDDP model's own scale and reads as "how much
denoising strength the degradation calls for". It is not the paper's
table: the paper assigns noisy t = 4 although its sigmas (15-50) would be
restored best at t ~ T here; the table orders tasks by the authors'
judgement of how far each is from the clean image (it is used as the
operating point of a network fine-tuned afterwards), so compare the order of
derived values, not the numbers.
"""
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import torch

Pair = Tuple[np.ndarray, np.ndarray]  # (degraded, clean) RGB in [0, 1]


def load_tmddp_model(config: str, checkpoint: str,
                     device: str = 'cpu') -> torch.nn.Module:
    """The config's model (an EEDTP restorer) with the checkpoint's weights,
    in eval mode. Errors name the checkpoint and its mismatched keys (the
    inferencer's loader)."""
    from mmdiffir.apis.inferencer import load_weights, resolve_config
    from mmdiffir.registry import MODELS
    from mmdiffir.utils import register_all_modules
    register_all_modules()
    cfg = resolve_config(config)
    model_cfg = dict(cfg.model)
    model_cfg.pop('init_cfg', None)
    model = MODELS.build(model_cfg)
    if not (hasattr(model, 'restore') and hasattr(model, 'schedule')):
        raise TypeError(f'{config}: the model ({type(model).__name__}) is '
                        'not time-conditioned (no restore(x, t)); the '
                        'derivation needs an EEDTP (TMDDP) model')
    load_weights(model, checkpoint)
    return model.to(device).eval()


def _psnr(pred: torch.Tensor, gt: torch.Tensor) -> float:
    mse = float(((pred - gt)**2).mean())
    return float('inf') if mse == 0 else 10 * np.log10(1.0 / mse)


@torch.no_grad()
def restoration_curve(model, pairs: Sequence[Pair],
                      steps: Sequence[int]) -> np.ndarray:
    """Mean PSNR (dB, RGB, outputs clipped to [0, 1]) over ``pairs`` of
    ``model.restore(y, t)`` for each t of ``steps``. Shape (len(steps),)."""
    if not pairs:
        raise ValueError('no pairs to run the model on')
    device = next(model.parameters()).device
    curve = np.zeros(len(steps))
    for deg, gt in pairs:
        if deg.shape != gt.shape:
            raise ValueError(f'degraded {deg.shape} and clean {gt.shape} '
                             'images differ in size')
        x = torch.from_numpy(np.ascontiguousarray(deg.transpose(
            2, 0, 1))).float()[None].to(device)
        g = torch.from_numpy(np.ascontiguousarray(gt.transpose(
            2, 0, 1))).float()[None].to(device)
        for i, t in enumerate(steps):
            curve[i] += _psnr(model.restore(x, int(t)).clamp(0, 1), g)
    # leave no step set (a later pass without one must fail, not reuse it)
    model.conditioner.set_time(None)
    if getattr(model, 'adapter', None) is not None:
        model.adapter.set_time(None)
    return curve / len(pairs)


def pick_step(curve: Sequence[float], steps: Sequence[int],
              rel_tol: float = 0.1) -> int:
    """The smallest step whose PSNR is at least
    ``max - rel_tol * (max - min)`` of the curve (see the module docstring);
    a flat curve gives the smallest step."""
    curve = np.asarray(curve, dtype=np.float64)
    if curve.size == 0 or curve.size != len(steps):
        raise ValueError(f'curve ({curve.size} values) and steps '
                         f'({len(steps)}) must be non-empty and match')
    if not 0 <= rel_tol < 1:
        raise ValueError(f'rel_tol must lie in [0, 1), got {rel_tol}')
    top = curve.max()
    ok = curve >= top - rel_tol * (top - curve.min())
    return int(np.asarray(steps)[np.argmax(ok)])


def derive_by_restoration(model, sets: Dict[str, Sequence[Pair]],
                          steps: Optional[Iterable[int]] = None,
                          rel_tol: float = 0.1) -> Dict[str, dict]:
    """Per set: ``dict(t_mat, curve, steps, psnr_in, psnr_at_t, psnr_best)``.
    ``steps`` default 1..T of the model's schedule."""
    steps: List[int] = list(steps) if steps is not None else list(
        range(1, model.schedule.T + 1))
    out = {}
    for name, pairs in sets.items():
        curve = restoration_curve(model, pairs, steps)
        t = pick_step(curve, steps, rel_tol)
        psnr_in = float(np.mean([
            _psnr(torch.from_numpy(d), torch.from_numpy(g))
            for d, g in pairs]))
        out[name] = dict(t_mat=t, curve=curve, steps=steps, psnr_in=psnr_in,
                         psnr_at_t=float(curve[steps.index(t)]),
                         psnr_best=float(curve.max()))
    return out
