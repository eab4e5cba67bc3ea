"""Applying hand-made gradients to a model on one or N processes: EEDTP's
own optimizer step.

Why not ``optim_wrapper.update_params(loss)``: EEDTP combines two gradients
(restoration and diffusion) after rescaling and projecting them, which a
single backward of a summed loss cannot express; and since the gradients are
taken with ``torch.autograd.grad``, DistributedDataParallel's backward hooks
never fire, so the all-reduce is done here, explicitly.
"""
from typing import List, Sequence

import torch
from mmengine.dist import all_reduce_params


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
