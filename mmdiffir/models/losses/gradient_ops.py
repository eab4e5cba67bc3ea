"""Operations on per-parameter gradient lists: the DiffusionAlignLoss works
on gradients, not only on losses (their cosine, a conflict projection).
Applying such gradients to a model is the EEDTP editor's
(:mod:`mmdiffir.models.editors.eedtp.gradient_step`).
"""
from typing import List, Optional, Sequence

import torch

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
