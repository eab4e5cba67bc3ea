"""Mixed-precision training on any device, for ordinary and hand-made
gradients.

Why not mmengine's ``AmpOptimWrapper``: it refuses to be built without an
accelerator (so bf16 autocast, which the CPU runs, cannot be tested or used
there), its autocast picks the device from what is installed rather than
from where the model is, and it offers no way for a model that makes its own
gradients (EEDTP: ``torch.autograd.grad`` of several losses, combined by
hand) to apply the loss scale to them. This wrapper keeps its interface
(``backward`` / ``step`` / ``optim_context``, ``loss_scaler`` in the state
dict) and adds :meth:`loss_scale` for such models.
"""
from contextlib import contextmanager
from typing import Optional, Union

import torch
from mmengine.optim import OptimWrapper
from torch import nn

from mmdiffir.registry import OPTIM_WRAPPERS

DTYPES = {'bfloat16': torch.bfloat16, 'float16': torch.float16}


def _device_type(model: nn.Module) -> str:
    for p in model.parameters():
        return p.device.type
    return 'cpu'


@OPTIM_WRAPPERS.register_module()
class MixedPrecisionOptimWrapper(OptimWrapper):
    """Autocast to ``dtype`` in :meth:`optim_context`; for float16 also a
    dynamic gradient scaler (``torch.amp.GradScaler``): losses are
    multiplied by the scale before backward, gradients divided by it before
    clipping and the optimizer step, and a step whose gradients hold an inf
    or NaN is skipped (the parameters and optimizer state stay as they were)
    and the scale halved, as GradScaler does. bfloat16 has float32's range
    and needs no scaler.

    Args:
        dtype (str): 'bfloat16' or 'float16'.
        loss_scale (str | float | dict): float16 only: 'dynamic' (GradScaler's
            defaults), an initial scale, or GradScaler keyword arguments.
        **kwargs: OptimWrapper's (optimizer, clip_grad, accumulative_counts).
    """

    def __init__(self, dtype: str = 'bfloat16',
                 loss_scale: Union[str, float, dict] = 'dynamic', **kwargs):
        super().__init__(**kwargs)
        if dtype not in DTYPES:
            raise ValueError(f'optim_wrapper.dtype must be one of '
                             f'{sorted(DTYPES)}, got {dtype!r}')
        self.cast_dtype = DTYPES[dtype]
        self.loss_scaler: Optional[torch.amp.GradScaler] = None
        self.skipped_steps = 0
        if self.cast_dtype is torch.float16:
            if loss_scale == 'dynamic':
                scaler_args = {}
            elif isinstance(loss_scale, (int, float)):
                scaler_args = dict(init_scale=float(loss_scale))
            elif isinstance(loss_scale, dict):
                scaler_args = dict(loss_scale)
            else:
                raise TypeError('optim_wrapper.loss_scale must be "dynamic", '
                                f'a number or a dict, got {loss_scale!r}')
            device = self._param_device()
            self.loss_scaler = torch.amp.GradScaler(device, **scaler_args)
            # GradScaler creates its scale at the first ``scale()`` call;
            # hand-made gradients may never call it
            self.loss_scaler.scale(torch.ones((), device=device))

    def _param_device(self) -> str:
        for group in self.optimizer.param_groups:
            for p in group['params']:
                return p.device.type
        return 'cpu'

    # ------------------------------------------------------------ scaling
    def loss_scale(self) -> float:
        """The factor to multiply a loss by before differentiating it (1.0
        without a scaler). A model that takes its own gradients of
        ``loss * loss_scale()`` sets them as ``p.grad`` and calls
        :meth:`step`, which divides them by the same factor."""
        return 1.0 if self.loss_scaler is None else \
            float(self.loss_scaler.get_scale())

    def backward(self, loss: torch.Tensor, **kwargs) -> None:
        if self.loss_scaler is not None:
            loss = self.loss_scaler.scale(loss)
        loss.backward(**kwargs)
        self._inner_count += 1

    def step(self, **kwargs) -> None:
        if self.loss_scaler is None:
            return super().step(**kwargs)
        if self.clip_grad_kwargs:
            self.loss_scaler.unscale_(self.optimizer)
            self._clip_grad()
        scale = self.loss_scaler.get_scale()
        self.loss_scaler.step(self.optimizer, **kwargs)
        self.loss_scaler.update()
        # GradScaler lowers the scale exactly when it skipped the step
        if self.loss_scaler.get_scale() < scale:
            self.skipped_steps += 1

    @contextmanager
    def optim_context(self, model: nn.Module):
        with super().optim_context(model), torch.autocast(
                device_type=_device_type(model), dtype=self.cast_dtype):
            yield

    # ------------------------------------------------------------ state
    def state_dict(self) -> dict:
        state = super().state_dict()
        if self.loss_scaler is not None:
            state['loss_scaler'] = self.loss_scaler.state_dict()
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state_dict = dict(state_dict)
        scaler = state_dict.pop('loss_scaler', None)
        if scaler is not None and self.loss_scaler is not None:
            self.loss_scaler.load_state_dict(scaler)
        super().load_state_dict(state_dict)


def loss_scale_of(optim_wrapper) -> float:
    """The loss scale of any mmengine optimizer wrapper (mmengine's
    ``AmpOptimWrapper`` included): 1.0 when it has no scaler."""
    scaler = getattr(optim_wrapper, 'loss_scaler', None)
    if scaler is None or not scaler.is_enabled():
        return 1.0
    return float(scaler.get_scale())
