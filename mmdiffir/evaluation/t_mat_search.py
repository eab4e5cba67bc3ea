"""t_mat from a pre-trained TMDDP model (METHODS.md §1.3, issue 13 item 5).

A TMDDP model ``f(., t)`` is a denoiser for every step t: at small t it
keeps the input almost as it is, at large t it removes as much as its
training noise ``sigmabar_t`` asked for. Run on the degraded images of a
task, the mean PSNR of ``f(y, t)`` against the clean images as a function
of t is the *restoration curve*. Both modes read it below the schedule's
knee ``t_knee``, the smallest step whose sigmabar is within ``knee_tol``
(2%) of sigma_max (t = 28 for the default T = 50): above it sigmabar_t is
flat (9.83-10.0 / 255), outputs differ by hundredths of a dB and those
steps are one noise level, so they count as the knee.

Modes:

``tolerance`` (default): **the strongest prior the pairs tolerate**, the
  largest t <= t_knee whose PSNR is within ``tol_db`` (0.1 dB) of the
  better of the input and the best step. Why this is t_mat: GEF
  fine-tunes the model *at* t_mat starting from ``f(., t_mat)``; a larger
  step carries more of the diffusion prior (and GEF's layer-wise decay is
  stronger there) but starts further from the task. The tolerance step is
  the largest one whose starting point costs the task nothing (<= tol_db).
  It works for degradations a denoiser cannot reduce: a blurred or hazy
  image has lost (or damped) the fine detail a denoiser removes, so ever
  larger steps leave it as it is; a sharp, clear one loses detail at once.
  For noise, JPEG and rain the best step restores, the curve stays flat
  past it, and the tolerance step is at or above the best one. When even
  t = 1 costs more than tol_db (mild blur: the detail is still there) it
  answers t = 1 and says so.
``best``: the step that restores best, ``min(argmax_t PSNR(t), t_knee)``:
  "how much denoising strength the degradation calls for". Meaningful for
  noise-like degradations only: for blur and haze no step restores better
  than the input and it answers the floor t = 1 at every strength.

Both values are on the TMDDP model's own scale; neither is the paper's
table. The paper's table is not noise matching (noisy is t = 4 although
its sigmas of 15-50 are far above sigmabar_4 = 2.9/255, and read the knee
here); it orders tasks by how far each is from the clean image and is the
operating point of the network fine-tuned afterwards; its low-light 38,
hazy 47 and blurry 50 lie above the knee, where the model cannot tell steps
apart. Compare the order of derived values across tasks with the table's,
not the numbers. Candidates measured and rejected (a fine-tuning probe,
effort matching, gradient alignment, a linear probe):
docs/benchmarks/derive_t_mat_candidates.txt.
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


def tolerance_step(curve: Sequence[float], steps: Sequence[int],
                   psnr_in: float, t_knee: int,
                   tol_db: float = 0.1) -> Tuple[int, bool]:
    """(the largest step <= ``t_knee`` whose PSNR is within ``tol_db`` of
    ``max(psnr_in, max(curve))``, whether one is); with none, (the smallest
    step, False): even the mildest prior costs more than ``tol_db``.

    A best step above the knee counts as the knee (as in :func:`pick_step`),
    so the answer is then ``t_knee`` whatever the tolerance.

    Why a reference of ``max(psnr_in, best)``: the pairs can always be left
    as they are, so a step "costs" what it loses against the better of
    doing nothing and the best step (see the module docstring, 'tolerance').
    """
    curve = np.asarray(curve, dtype=np.float64)
    steps = np.asarray(steps)
    if curve.size == 0 or curve.size != steps.size:
        raise ValueError(f'curve ({curve.size} values) and steps '
                         f'({steps.size}) must be non-empty and match')
    if tol_db < 0:
        raise ValueError(f'tol_db must be >= 0, got {tol_db}')
    if curve.max() >= psnr_in and steps[int(np.argmax(curve))] > t_knee:
        # the best step is above the knee, one noise level with it
        return int(t_knee), True
    ok = (curve >= max(psnr_in, curve.max()) - tol_db) & (steps <= t_knee)
    if not ok.any():
        return int(steps.min()), False
    return int(steps[ok].max()), True


MODES = ('tolerance', 'best')


def derive_by_restoration(model, sets: Dict[str, Sequence[Pair]],
                          steps: Optional[Iterable[int]] = None,
                          knee_tol: float = 0.02, mode: str = 'tolerance',
                          tol_db: float = 0.1) -> Dict[str, dict]:
    """Per set: ``dict(t_mat, t_best, t_tol, tol_found, t_knee, curve,
    steps, psnr_in, psnr_at_t, psnr_best, improves)``. ``t_mat`` is
    ``t_tol`` (mode 'tolerance', default) or ``t_best`` (mode 'best'), see
    the module docstring. ``improves`` is False when no step restores
    better than the input (a degradation a denoiser cannot reduce, e.g.
    blur or haze: ``t_best`` is then the floor t = 1, not a measurement);
    ``tol_found`` is False when even the mildest step loses more than
    ``tol_db`` (``t_tol`` is then that step, a floor). ``steps`` default
    1..T of the model's schedule."""
    if mode not in MODES:
        raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
    steps: List[int] = list(steps) if steps is not None else list(
        range(1, model.schedule.T + 1))
    t_knee = knee_step(model.schedule.sigma_bars.tolist(), knee_tol)
    out = {}
    for name, pairs in sets.items():
        curve = restoration_curve(model, pairs, steps)
        t_best = pick_step(curve, steps, t_knee)
        if t_best not in steps:  # the knee itself was not evaluated
            raise ValueError(f'steps {steps} lack the knee t = {t_knee}')
        psnr_in = float(np.mean([
            _psnr(torch.from_numpy(d).float(), torch.from_numpy(g).float())
            for d, g in pairs]))
        t_tol, tol_found = tolerance_step(curve, steps, psnr_in, t_knee,
                                          tol_db)
        t = t_tol if mode == 'tolerance' else t_best
        out[name] = dict(t_mat=t, t_best=t_best, t_tol=t_tol,
                         tol_found=tol_found, t_knee=t_knee, curve=curve,
                         steps=steps,
                         psnr_in=psnr_in,
                         psnr_at_t=float(curve[steps.index(t)]),
                         psnr_best=float(curve.max()),
                         # gains under 0.001 dB are rounding, not restoration
                         improves=bool(curve.max() > psnr_in + 1e-3))
    return out
