"""Helpers for modules attached to a backbone from outside by hooks (time
conditioning, TaskAdapter): pick blocks by class name / name pattern and read
their output shapes in one dry forward pass."""
import re
from typing import Dict, List, Optional, Sequence

import torch
from torch import nn


def select_modules(backbone: nn.Module,
                   block_types: Sequence[str] = (),
                   name_patterns: Sequence[str] = (),
                   who: str = 'selection') -> List[str]:
    """Names (``named_modules`` order) of the backbone's modules whose class
    name is in ``block_types`` AND whose name fully matches one of
    ``name_patterns``; an empty criterion does not constrain. The root module
    is never selected.

    Raises:
        ValueError: nothing matched; the message names the criteria and the
            backbone's module classes, so a config typo is easy to fix.
    """
    if not block_types and not name_patterns:
        raise ValueError(f'{who} needs block_types and/or name_patterns')
    regexes = [re.compile(p) for p in name_patterns]
    names = [
        name for name, module in backbone.named_modules()
        if name and (not block_types or type(module).__name__ in block_types)
        and (not regexes or any(r.fullmatch(name) for r in regexes))
    ]
    if not names:
        classes = sorted({type(m).__name__ for m in backbone.modules()})
        raise ValueError(
            f'{who} selected no module of {type(backbone).__name__}: '
            f'block_types={list(block_types)}, name_patterns='
            f'{list(name_patterns)}. Its module classes are: '
            f'{", ".join(classes)}')
    return names


def default_example_input(backbone: nn.Module) -> torch.Tensor:
    """zeros (1, 3, 32, 32) on the backbone's device and dtype: valid for
    the usual IR backbones (NAFNet pads, Restormer needs multiples of 8,
    SwinIR pads to its window)."""
    p = next(backbone.parameters(), None)
    return torch.zeros(1, 3, 32, 32,
                       device=p.device if p is not None else 'cpu',
                       dtype=p.dtype if p is not None else torch.float32)


@torch.no_grad()
def dry_run(backbone: nn.Module, example_input: torch.Tensor,
            handles: Sequence = ()) -> None:
    """One forward pass in eval mode (so it cannot update e.g. BatchNorm
    statistics), then remove ``handles`` (the hooks that observed it) and
    restore every module's own training flag (some may be deliberately
    frozen in eval mode)."""
    modes = {m: m.training for m in backbone.modules()}
    backbone.eval()
    try:
        backbone(example_input)
    finally:
        for h in handles:
            h.remove()
        for m, mode in modes.items():
            m.training = mode


@torch.no_grad()
def probe_output_shapes(backbone: nn.Module, names: List[str],
                        example_input: Optional[torch.Tensor] = None,
                        who: str = 'probe') -> Dict[str, torch.Size]:
    """Output shape of each named module in one forward pass of
    ``example_input`` (default :func:`default_example_input`).

    The pass runs in eval mode so that it cannot update e.g. BatchNorm
    statistics; every module's own training flag is restored afterwards
    (some may be deliberately frozen in eval mode).
    """
    if example_input is None:
        example_input = default_example_input(backbone)
    modules = dict(backbone.named_modules())
    shapes, handles = {}, []

    def recorder(name):
        def record(module, args, output):
            if not torch.is_tensor(output):
                raise TypeError(
                    f'{who}: block {name} ({type(module).__name__}) returns '
                    f'{type(output).__name__}, not a tensor')
            shapes[name] = output.shape
        return record

    for name in names:
        handles.append(modules[name].register_forward_hook(recorder(name)))
    dry_run(backbone, example_input, handles)
    missed = [n for n in names if n not in shapes]
    if missed:
        raise RuntimeError(f'{who}: selected modules {missed} were not called '
                           'in the forward pass')
    return shapes
