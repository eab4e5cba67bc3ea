"""Relative depth of every parameter of a network, shallow -> deep, for the
layer-wise decay of the diffusion gradient (METHODS.md §1.5)."""
from typing import Dict

import torch
from torch import nn

from mmdiffir.models.conditioning.hook_utils import dry_run


@torch.no_grad()
def execution_depths(backbone: nn.Module,
                     example_input: torch.Tensor) -> Dict[str, float]:
    """Map ``parameter name -> depth in [0, 1]``.

    Depth is the order in which modules owning parameters *run* in one dry
    forward pass (index / (L - 1)), not their registration order: mmagic's
    NAFNet registers its ending conv before the encoders, yet it is the
    deepest layer. Parameters of modules that did not run get depth 1.
    """
    order = []
    handles = []
    for name, module in backbone.named_modules():
        if any(True for _ in module.parameters(recurse=False)):
            handles.append(module.register_forward_pre_hook(
                lambda m, a, name=name: order.append(name)
                if name not in order else None))
    dry_run(backbone, example_input, handles)
    last = max(len(order) - 1, 1)
    rank = {name: i / last for i, name in enumerate(order)}
    depths = {}
    for name, module in backbone.named_modules():
        for pname, _ in module.named_parameters(recurse=False):
            full = f'{name}.{pname}' if name else pname
            depths[full] = rank.get(name, 1.0)
    return depths
