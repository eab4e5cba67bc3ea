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


def list_dot(a: Sequence[torch.Tensor],
             b: Sequence[torch.Tensor]) -> torch.Tensor:
    """``a . b`` of two tensor lists seen as flat vectors, tensor by tensor
    (torch's cascaded sums, then a sum over the list): no flat copy, and
    temporaries the size of one tensor, not of the whole list."""
    return torch.stack([(x * y).sum() for x, y in zip(a, b)]).sum()


def cosine_directions(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor],
                      eps: float = 1e-12, scale: float = 1.0):
    """(cos, scale * dcos/da, scale * dcos/db) of two detached gradients
    seen as flat vectors: ``dcos/da = b / (|a||b|) - cos * a / |a|^2`` (and
    symmetric), the two derivatives as new tensor lists shaped as ``a``.

    Why lists and fused ops, not the flat vectors of :func:`cosine`: at
    NAFNet-w48 + its heads (80M parameters) the flat copies and the
    vector-sized temporaries were a large part of a diffusion iteration's
    bookkeeping on CPU; here the norms are ``_foreach_norm`` and each
    derivative is one new list and one in-place fused add (``scale`` rides
    on their scalars: no pass of its own)."""
    a, b = list(a), list(b)
    aa = torch.stack(torch._foreach_norm(a)).square().sum()
    bb = torch.stack(torch._foreach_norm(b)).square().sum()
    na, nb = torch.sqrt(aa + eps), torch.sqrt(bb + eps)
    cos = list_dot(a, b) / (na * nb)
    inv, ca, cb = (scale * float(x) for x in (1 / (na * nb), cos / na**2,
                                              cos / nb**2))
    da = torch._foreach_mul(b, inv)
    torch._foreach_add_(da, a, alpha=-ca)
    db = torch._foreach_mul(a, inv)
    torch._foreach_add_(db, b, alpha=-cb)
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
