"""Pre-trained weights and their importance, kept with the model."""
import zlib
from typing import List, Sequence, Tuple

import torch
from torch import nn


def parameter_signature(named_params: Sequence[Tuple[str, torch.Tensor]]
                        ) -> int:
    """A checksum of the (name, shape) list of the anchored parameters."""
    text = ';'.join(f'{n}:{tuple(p.shape)}' for n, p in named_params)
    return zlib.crc32(text.encode())


class ParameterAnchor(nn.Module):
    """theta0 (weights at the start of fine-tuning) and Omega (importance,
    the mean |dL_gen/dtheta| there) for a list of parameters, as buffers, so
    they are saved in and restored from checkpoints with the model.

    ``ready`` is False until :meth:`set` runs (ImportanceEstimationHook); a
    resumed run finds it True and does not estimate again. The buffers are
    stored by position, so ``signature`` (a checksum of the parameter names
    and shapes, written by :meth:`set`) records which parameters they belong
    to: an anchor loaded from a model with other trainable parameters (e.g.
    a GEF checkpoint loaded into an MTUL model with adapters) does not
    :meth:`match` and must be estimated again.
    """

    def __init__(self, named_params: Sequence[Tuple[str, torch.Tensor]]):
        super().__init__()
        self.names = [n for n, _ in named_params]
        self.expected_signature = parameter_signature(named_params)
        for i, (_, p) in enumerate(named_params):
            self.register_buffer(f'theta0_{i}', torch.zeros_like(p.detach()))
            self.register_buffer(f'omega_{i}', torch.zeros_like(p.detach()))
        self.register_buffer('ready', torch.tensor(False))
        # -1: not written by set() (also what a checkpoint without it means)
        self.register_buffer('signature', torch.tensor(-1, dtype=torch.long))

    @property
    def theta0(self) -> List[torch.Tensor]:
        return [getattr(self, f'theta0_{i}') for i in range(len(self.names))]

    @property
    def omega(self) -> List[torch.Tensor]:
        return [getattr(self, f'omega_{i}') for i in range(len(self.names))]

    def matches(self) -> bool:
        """Filled (``ready``) for exactly this model's trainable
        parameters."""
        return bool(self.ready) and \
            int(self.signature) == self.expected_signature

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # An old checkpoint without `signature` keeps -1: its anchor cannot
        # be shown to match and is estimated again.
        if prefix + 'ready' in state_dict and \
                prefix + 'signature' not in state_dict:
            self.signature.fill_(-1)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    @torch.no_grad()
    def set(self, params: Sequence[torch.Tensor],
            omega: Sequence[torch.Tensor]) -> None:
        for i, (p, w) in enumerate(zip(params, omega)):
            getattr(self, f'theta0_{i}').copy_(p.detach())
            getattr(self, f'omega_{i}').copy_(w.detach())
        self.ready.fill_(True)
        self.signature.fill_(self.expected_signature)
