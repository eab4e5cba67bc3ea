"""TaskAdapter: mixture-of-experts adapters attached after chosen backbone
levels (EEDTP MTUL, METHODS.md §1.6), from outside like the time
conditioning, so any registered backbone gains them with no code change.

At a hooked level with output ``h`` (B, C, H, W)::

    w = softmax(router([GAP(h); emb(t_mat)]))          # (B, N)
    h <- h + s * sum_i w_i E_i(h)
    E_i = conv3x3(C -> C/r) - GELU - conv3x3 - GELU - conv1x1(C/r -> C)

with ``s`` initialised to 0, so attaching adapters changes nothing at first.

The N experts are stored in fused form (one conv holding all first layers, a
grouped conv holding the middle layers, one 1x1 weight over the N experts'
hidden features for the last layers): the same parameters as N separate
experts and exactly the same function. Two exact formulations compute it:

* with gradients (training), :meth:`MoEAdapter.experts_mix`: the fused
  layers as they are stored, the hidden features scaled by the mixture
  weights before the last 1x1 conv;
* without gradients (inference), :meth:`MoEAdapter.mix_no_grad`: the first
  layers as one conv, the middle layers one conv per expert, both 3x3
  convs by Winograd on CPU (``winograd=True``, the default:
  :mod:`.winograd_conv`), GELUs in place, and the mixture weights and the
  scale folded into each sample's last 1x1 conv
  (sum_i s w_i W_i z_i = [s w_1 W_1 .. s w_N W_N] z), so no pass over the
  N-expert-wide hidden features scales them.

The N first 3x3 convs (C -> N*C/r) are most of the multiply-adds and are
followed by a GELU, so no exact formulation folds or skips them; Winograd
computes the same convolution with fewer multiplies.
"""
import functools
from typing import List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import nn

from mmdiffir.registry import MODELS
from .hook_utils import probe_output_shapes, select_modules
from .time_conditioning import (_head_key, as_time_steps,
                                sinusoidal_embedding)
from .winograd_conv import conv3x3

_gelu_ = torch.ops.aten.gelu_  # exact (erf) GELU, in place


class MoEAdapter(nn.Module):
    """N routed experts at one level of ``channels`` channels."""

    def __init__(self, channels: int, num_experts: int = 10,
                 reduction: int = 4, embed_dim: int = 64,
                 router_hidden: int = 64, winograd: bool = True):
        super().__init__()
        hidden = max(channels // reduction, 1)
        self.num_experts, self.hidden = num_experts, hidden
        self.winograd = winograd
        n = num_experts
        # expert i's first conv = output channels [i*hidden, (i+1)*hidden)
        self.conv_in = nn.Conv2d(channels, n * hidden, 3, padding=1)
        self.conv_mid = nn.Conv2d(n * hidden, n * hidden, 3, padding=1,
                                  groups=n)
        # expert i's last 1x1 conv = input columns [i*hidden, (i+1)*hidden)
        self.proj_weight = nn.Parameter(
            torch.empty(channels, n * hidden, 1, 1))
        self.proj_bias = nn.Parameter(torch.zeros(n, channels))
        fan_in = hidden  # each expert's own 1x1 conv sees `hidden` inputs
        nn.init.uniform_(self.proj_weight, -fan_in**-0.5, fan_in**-0.5)
        nn.init.uniform_(self.proj_bias, -fan_in**-0.5, fan_in**-0.5)
        self.router = nn.Sequential(
            nn.Linear(channels + embed_dim, router_hidden), nn.GELU(),
            nn.Linear(router_hidden, num_experts))
        self.scale = nn.Parameter(torch.zeros(()))

    def routing(self, h: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        """Expert weights (B, N) from the pooled features and the time
        embedding (B or 1, E)."""
        pooled = h.mean(dim=(2, 3))
        emb = emb.to(h.dtype).expand(h.shape[0], -1)
        return torch.softmax(self.router(torch.cat([pooled, emb], 1)), dim=1)

    def experts_mix(self, h: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """sum_i w_i E_i(h), in fused form."""
        z = F.gelu(self.conv_mid(F.gelu(self.conv_in(h))))
        z = z * w.repeat_interleave(self.hidden, dim=1)[:, :, None, None]
        bias = (w @ self.proj_bias.to(w.dtype))[:, :, None, None]
        return F.conv2d(z, self.proj_weight) + bias

    def mix_no_grad(self, h: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """``h + s * sum_i w_i E_i(h)`` for inference: the same function as
        :meth:`experts_mix` (to float rounding; Winograd's differs from a
        direct conv's by about 1e-5 relative), fewer multiplies and memory
        passes; GELU in place, so only without autograd.

        Args:
            h (Tensor): (B, C, H, W) level output.
            w (Tensor): (B, N) mixture weights (:meth:`routing`).
        """
        conv = conv3x3 if self.winograd else functools.partial(F.conv2d,
                                                               padding=1)
        a = _gelu_(conv(h, self.conv_in.weight, self.conv_in.bias))
        hid = self.hidden
        mid_w, mid_b = self.conv_mid.weight, self.conv_mid.bias
        z = _gelu_(torch.cat([
            conv(a[:, i * hid:(i + 1) * hid], mid_w[i * hid:(i + 1) * hid],
                 mid_b[i * hid:(i + 1) * hid])
            for i in range(self.num_experts)
        ], 1))
        sw = self.scale.to(w.dtype) * w  # (B, N)
        weight = (self.proj_weight.flatten(1)[None]
                  * sw.repeat_interleave(hid, dim=1)[:, None])  # (B, C, N*hid)
        bias = sw @ self.proj_bias.to(w.dtype)  # (B, C)
        out = torch.cat([
            F.conv2d(z[b:b + 1], weight[b, :, :, None, None], bias[b])
            for b in range(h.shape[0])
        ])
        return out.add_(h)

    def forward(self, h: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        w = self.routing(h, emb)
        if torch.is_grad_enabled():
            return h + self.scale * self.experts_mix(h, w)
        return self.mix_no_grad(h, w)


@MODELS.register_module()
class TaskAdapter(nn.Module):
    """MoE adapters after selected blocks of any backbone, routed by the
    task's t_mat.

    Args:
        block_types / name_patterns: which modules get an adapter on their
            output (as :class:`TimeConditioner`), e.g. NAFNet's decoder
            levels ``name_patterns=[r'decoders\\.\\d+']``; outputs must be
            (B, C, H, W).
        num_experts (int): experts per adapter (10 in the reference).
        reduction (int): expert width C / reduction (4).
        embed_dim (int): width of the sinusoidal t_mat embedding.
        router_hidden (int): width of the router MLP.
        num_steps (int): T; time steps must lie in 0..T.
        winograd (bool): compute the experts' 3x3 convs by Winograd on CPU
            at inference (:mod:`.winograd_conv`; same function, other
            rounding). False: direct convs (``F.conv2d``) everywhere.

    Usage mirrors the conditioner: ``attach(backbone, example)``, then
    ``set_time(t)`` before each forward. A forward with adapters attached
    and no time set raises, so an adapter can never be silently skipped
    (the reference's test script forgot them).
    """

    def __init__(self,
                 block_types: Optional[Sequence[str]] = None,
                 name_patterns: Optional[Sequence[str]] = None,
                 num_experts: int = 10,
                 reduction: int = 4,
                 embed_dim: int = 64,
                 router_hidden: int = 64,
                 num_steps: int = 50,
                 winograd: bool = True):
        super().__init__()
        self.block_types = tuple(block_types or ())
        self.name_patterns = tuple(name_patterns or ())
        if not self.block_types and not self.name_patterns:
            raise ValueError('TaskAdapter needs block_types and/or '
                             'name_patterns to select where adapters go')
        if num_experts < 1 or reduction < 1:
            raise ValueError('TaskAdapter: num_experts and reduction must be '
                             f'>= 1, got {num_experts}, {reduction}')
        self.num_experts, self.reduction = num_experts, reduction
        self.embed_dim, self.router_hidden = embed_dim, router_hidden
        self.num_steps, self.winograd = num_steps, winograd
        self.adapters = nn.ModuleDict()
        self.selected: List[str] = []
        self._handles = []
        self._time: Optional[torch.Tensor] = None

    def attach(self, backbone: nn.Module,
               example_input: Optional[torch.Tensor] = None) -> List[str]:
        """Create (or reuse) one adapter per selected module and hook it."""
        if self._handles:
            raise RuntimeError('TaskAdapter is already attached; call '
                               'detach() first')
        names = select_modules(backbone, self.block_types,
                               self.name_patterns, who='TaskAdapter')
        shapes = probe_output_shapes(backbone, names, example_input,
                                     who='TaskAdapter')
        ref = next(backbone.parameters())
        for name in names:
            shape, key = shapes[name], _head_key(name)
            if len(shape) != 4:
                raise ValueError(f'TaskAdapter: block {name} outputs shape '
                                 f'{tuple(shape)}; adapters need (B, C, H, '
                                 'W) feature maps')
            if key not in self.adapters:
                self.adapters[key] = MoEAdapter(
                    shape[1], self.num_experts, self.reduction,
                    self.embed_dim, self.router_hidden,
                    self.winograd).to(
                        ref.device, ref.dtype)
            elif self.adapters[key].conv_in.in_channels != shape[1]:
                raise ValueError(f'TaskAdapter: adapter {key} was built for '
                                 f'{self.adapters[key].conv_in.in_channels}'
                                 f' channels, block {name} has {shape[1]}')
        modules = dict(backbone.named_modules())
        self._handles = [
            modules[n].register_forward_hook(
                functools.partial(self._hook, _head_key(n))) for n in names
        ]
        self.selected = names
        return names

    def detach(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles, self.selected = [], []

    @property
    def attached(self) -> bool:
        return bool(self._handles)

    def init_weights(self) -> None:
        """Keep every scale at 0 whatever a parent's init_cfg did (mmengine
        initialises children after the parent)."""
        for adapter in self.adapters.values():
            nn.init.zeros_(adapter.scale)

    def set_time(self, t: Union[int, torch.Tensor, None]) -> None:
        """t_mat for the following forwards: (B,), (1,), an int or None."""
        self._time = None if t is None else as_time_steps(t, self.num_steps)

    def _hook(self, key: str, module, args, h: torch.Tensor) -> torch.Tensor:
        if self._time is None:
            raise RuntimeError('TaskAdapter: call set_time(t_mat) before the '
                               'forward pass (adapters are attached)')
        emb = sinusoidal_embedding(self._time.to(h.device), self.embed_dim)
        if emb.shape[0] not in (1, h.shape[0]):
            raise ValueError(f'TaskAdapter: {emb.shape[0]} time steps for a '
                             f'batch of {h.shape[0]} at block {key}')
        return self.adapters[key](h, emb)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def extra_repr(self) -> str:
        return (f'num_experts={self.num_experts}, reduction='
                f'{self.reduction}, attached_blocks={len(self.selected)}')
