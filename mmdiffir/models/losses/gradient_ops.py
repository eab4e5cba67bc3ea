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


def flat(grads: Sequence[torch.Tensor]) -> torch.Tensor:
    """The gradients as one flat vector (one copy; differentiable).

    Why: with ~1000 parameter tensors (NAFNet-w48 + its heads) a dot
    product taken tensor by tensor costs ~2000 small ops and a Python sum of
    1000 scalars; on the flat vector it is one BLAS call."""
    return torch.cat([g.reshape(-1) for g in grads])


def dot(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``x . y`` of two flat vectors by torch's (cascaded) sum: in float32
    over millions of terms BLAS ``torch.dot`` is ~1e-4 off in relative
    terms, enough to move the logged L_orthog."""
    return (x * y).sum()


def flat_dot(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor]):
    return dot(flat(a), flat(b))


def cosine(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor],
           eps: float = 1e-12) -> torch.Tensor:
    """Cosine of the angle between two gradients seen as one flat vector
    (differentiable when the gradients carry a graph)."""
    fa, fb = flat(a), flat(b)
    na = torch.sqrt(dot(fa, fa) + eps)
    nb = torch.sqrt(dot(fb, fb) + eps)
    return dot(fa, fb) / (na * nb)


def cosine_directions(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor],
                      eps: float = 1e-12):
    """(cos, dcos/da, dcos/db) of two detached gradients seen as flat
    vectors: ``dcos/da = b / (|a||b|) - cos * a / |a|^2`` (and symmetric);
    the two derivatives as flat vectors (the layout of :func:`flat`)."""
    fa, fb = flat(a), flat(b)
    na = torch.sqrt(dot(fa, fa) + eps)
    nb = torch.sqrt(dot(fb, fb) + eps)
    cos = dot(fa, fb) / (na * nb)
    da = fb / (na * nb) - (cos / na**2) * fa
    db = fa / (na * nb) - (cos / nb**2) * fb
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


def unflat(vector: torch.Tensor,
           like: Sequence[torch.Tensor]) -> List[torch.Tensor]:
    """A flat vector (the layout of :func:`flat`) as tensors shaped as
    ``like`` (views, no copy)."""
    out, start = [], 0
    for t in like:
        out.append(vector[start:start + t.numel()].view_as(t))
        start += t.numel()
    return out
