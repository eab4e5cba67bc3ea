"""t_mat from a pre-trained TMDDP model (METHODS.md §1.3, issue 13 item 5).

A TMDDP model ``f(., t)`` is a denoiser for every step t: at small t it
keeps the input almost as it is, at large t it removes as much as its
training noise ``sigmabar_t`` asked for. Run on the degraded images of a
task, the PSNR of ``f(y, t)`` against the clean images as a function of t
(the *restoration curve*) says how strong a prior the task calls for: a mild
degradation is restored best by a small t, a strong one by a large t.

The derived t_mat is the **step that restores best, capped at the
schedule's knee**: ``min(argmax_t PSNR(t), t_knee)`` with ``t_knee`` the
smallest step whose sigmabar is within ``knee_tol`` (2%) of sigma_max (t = 28
for the default T = 50 schedule). Why the cap: above the knee sigmabar_t is
flat (9.83-10.0 / 255), the model's outputs there differ by hundredths of a
dB and the argmax among them is noise; those steps are one noise level, so
they count as the knee. A degradation the denoiser would like to smooth
more than sigma_max (noise above ~10/255, heavy JPEG) reads t_knee.

The value is on the TMDDP model's own scale and reads as "how much
denoising strength the degradation calls for". It is not the paper's
table: the paper assigns noisy t = 4 although its sigmas (15-50) read the
knee here (sigma 15 and more is beyond sigma_max = 10/255); the table
orders tasks by the authors' judgement of how far each is from the clean
image (it is used as the operating point of a network fine-tuned
afterwards), so compare the order of derived values, not the numbers.
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


def knee_step(sigma_bars: Sequence[float], knee_tol: float = 0.02) -> int:
    """The smallest t >= 1 whose sigmabar_t is within ``knee_tol`` (a
    fraction) of the largest, sigmabar_T."""
    sb = np.asarray(sigma_bars, dtype=np.float64)
    if not 0 <= knee_tol < 1:
        raise ValueError(f'knee_tol must lie in [0, 1), got {knee_tol}')
    return int(np.argmax(sb[1:] >= (1 - knee_tol) * sb[-1]) + 1)


def pick_step(curve: Sequence[float], steps: Sequence[int],
              t_knee: int) -> int:
    """``min(the step of the best PSNR, t_knee)``; ties go to the smaller
    step (see the module docstring)."""
    curve = np.asarray(curve, dtype=np.float64)
    if curve.size == 0 or curve.size != len(steps):
        raise ValueError(f'curve ({curve.size} values) and steps '
                         f'({len(steps)}) must be non-empty and match')
    return int(min(np.asarray(steps)[int(np.argmax(curve))], t_knee))


def derive_by_restoration(model, sets: Dict[str, Sequence[Pair]],
                          steps: Optional[Iterable[int]] = None,
                          knee_tol: float = 0.02) -> Dict[str, dict]:
    """Per set: ``dict(t_mat, t_knee, curve, steps, psnr_in, psnr_at_t,
    psnr_best, improves)``; ``improves`` is False when no step restores
    better than the input itself (a degradation a denoiser cannot reduce,
    e.g. blur or haze: t_mat is then the floor t = 1, not a measurement).
    ``steps`` default 1..T of the model's schedule."""
    steps: List[int] = list(steps) if steps is not None else list(
        range(1, model.schedule.T + 1))
    t_knee = knee_step(model.schedule.sigma_bars.tolist(), knee_tol)
    out = {}
    for name, pairs in sets.items():
        curve = restoration_curve(model, pairs, steps)
        t = pick_step(curve, steps, t_knee)
        if t not in steps:  # the knee itself was not evaluated
            raise ValueError(f'steps {steps} lack the knee t = {t_knee}')
        psnr_in = float(np.mean([
            _psnr(torch.from_numpy(d).float(), torch.from_numpy(g).float())
            for d, g in pairs]))
        out[name] = dict(t_mat=t, t_knee=t_knee, curve=curve, steps=steps,
                         psnr_in=psnr_in,
                         psnr_at_t=float(curve[steps.index(t)]),
                         psnr_best=float(curve.max()),
                         # gains under 0.001 dB are rounding, not restoration
                         improves=bool(curve.max() > psnr_in + 1e-3))
    return out
