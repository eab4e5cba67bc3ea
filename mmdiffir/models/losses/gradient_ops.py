"""Operations on per-parameter gradient lists (the DiffusionAlignLoss works on
gradients, not only on losses), and applying hand-made gradients to a model
on one or N processes.

Why not ``optim_wrapper.update_params(loss)``: EEDTP combines two gradients
(restoration and diffusion) after rescaling and projecting them, which a
single backward of a summed loss cannot express; and since the gradients are
taken with ``torch.autograd.grad``, DistributedDataParallel's backward hooks
never fire, so the all-reduce is done here, explicitly.
"""
from typing import List, Optional, Sequence

import torch
from mmengine.dist import all_reduce_params

Grads = List[Optional[torch.Tensor]]


def grads_or_zeros(grads: Sequence[Optional[torch.Tensor]],
                   params: Sequence[torch.Tensor]) -> List[torch.Tensor]:
    """Replace the None that ``allow_unused=True`` gives by zeros."""
    return [torch.zeros_like(p) if g is None else g
            for g, p in zip(grads, params)]


def flat_dot(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor]):
    return sum((x * y).sum() for x, y in zip(a, b))


def cosine(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor],
           eps: float = 1e-12) -> torch.Tensor:
    """Cosine of the angle between two gradients seen as one flat vector
    (differentiable when the gradients carry a graph)."""
    na = torch.sqrt(flat_dot(a, a) + eps)
    nb = torch.sqrt(flat_dot(b, b) + eps)
    return flat_dot(a, b) / (na * nb)


def cosine_directions(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor],
                      eps: float = 1e-12):
    """(cos, dcos/da, dcos/db) of two detached gradients seen as flat
    vectors: ``dcos/da = b / (|a||b|) - cos * a / |a|^2`` (and symmetric)."""
    na = torch.sqrt(flat_dot(a, a) + eps)
    nb = torch.sqrt(flat_dot(b, b) + eps)
    cos = flat_dot(a, b) / (na * nb)
    da = [y / (na * nb) - cos * x / na**2 for x, y in zip(a, b)]
    db = [x / (na * nb) - cos * y / nb**2 for x, y in zip(a, b)]
    return cos, da, db


def project_conflict(g: Sequence[torch.Tensor], ref: Sequence[torch.Tensor],
                     strength: float = 1.0) -> List[torch.Tensor]:
    """Gradient surgery: when ``g`` points against ``ref`` (negative dot
    product), remove ``strength`` times its component along ``ref``;
    otherwise return ``g`` unchanged. With strength 1 the result is
    orthogonal to ``ref`` (PCGrad's projection)."""
    dot = flat_dot(g, ref)
    if strength == 0 or dot >= 0:
        return list(g)
    coef = strength * dot / (flat_dot(ref, ref) + 1e-12)
    return [x - coef * r for x, r in zip(g, ref)]


def global_mean(grads: Sequence[torch.Tensor]) -> List[torch.Tensor]:
    """Detached gradients averaged over processes (mmengine's coalesced
    ``all_reduce_params``; a no-op on one process): the gradient of the
    global batch."""
    grads = [g.detach() for g in grads]
    all_reduce_params(grads, op='mean')
    return grads


def apply_gradients(params: Sequence[torch.Tensor],
                    grads: Sequence[torch.Tensor], optim_wrapper) -> None:
    """Set ``p.grad`` to ``grads`` (already the global batch's, see
    :func:`global_mean`) and step the optimizer through the wrapper (so its
    gradient clipping applies)."""
    for p, g in zip(params, grads):
        p.grad = g.to(p.dtype)
    optim_wrapper.step()
    optim_wrapper.zero_grad()


def refuse_accumulation(optim_wrapper) -> None:
    """Hand-made gradients are applied at every iteration: refuse
    ``optim_wrapper.accumulative_counts > 1`` instead of silently ignoring
    it.

    Why it cannot be exact here: with k accumulated micro-batches mmengine
    counts k iterations, so the per-iteration diffusion choice (gen_prob),
    the keyed diffusion draws and the learning-rate schedule would differ
    from those of the k-times larger batch, and the surgery / L_orthog act
    on the whole batch's gradients, not on a sum of per-micro-batch ones.
    """
    counts = getattr(optim_wrapper, '_accumulative_counts', 1)
    if counts != 1:
        raise ValueError(
            f'optim_wrapper.accumulative_counts={counts}: EEDTP applies its '
            'own gradients every iteration and cannot accumulate them '
            'exactly; use accumulative_counts=1 and a larger '
            'train_dataloader.batch_size (or more processes) instead')
