"""Time conditioning attached to ANY backbone from outside (METHODS.md §1.1).

``t -> sinusoidal embedding -> MLP -> per-module (scale, shift)`` and each
selected module's output becomes ``h * (1 + scale) + shift`` (AdaLN). The
reference modulates the *normalised features inside each block* (the output
of each block's norm layers), leaving the residual stream alone; that is the
configs' default (select the norm modules, e.g. NAFNet's ``LayerNorm2d``);
selecting whole blocks (``NAFBlock``) modulates block outputs instead, a
documented option. The modules are modulated through forward hooks, so a
registered backbone (mmagic's NAFNet, Restormer, SwinIRNet, ...) gains time
conditioning with no change to its code, and its ``state_dict`` stays
exactly the plain backbone's: all new parameters live in the
:class:`TimeConditioner`. One exception, for speed: a hooked NAFNet
``LayerNorm2d`` gets its forward replaced on the instance instead of a
hook, by a layer norm whose affine carries the modulation (per-sample
weight ``w (1 + scale)``, bias ``b (1 + scale) + shift``; the same values,
no extra pass over the feature map; ``layer_norm_2d.py``).

Typical use (the restorer owns both modules, so both are in its state_dict)::

    cond = TimeConditioner(embed_dim=64, block_types=['NAFBlock'])
    cond.attach(backbone, example_input)   # creates the heads (dry pass)
    cond.set_time(t)                       # t: LongTensor (B,), or None
    out = backbone(x)                      # modulated
    cond.freeze_time(t_mat)                # inference: constant t, cached
    cond.detach()                          # plain backbone again
"""
import functools
import math
import re
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmagic.models.editors.nafnet.naf_layerNorm2d import LayerNorm2d
from torch import nn

from mmdiffir.registry import MODELS
from .folding import (FOLDABLE, fold_affine, fold_norm, is_pointwise,
                      norm_affine_owner, restore)
from .hook_utils import probe_output_shapes, select_modules
from .layer_norm_2d import exact_derivatives_on, layer_norm_2d


def sinusoidal_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Transformer-style embedding of time steps.

    Args:
        t (Tensor): (B,) time steps (integers or floats).
        dim (int): embedding width.

    Returns:
        Tensor (B, dim) float32 in [-1, 1]: ``[sin(t w_k), cos(t w_k)]`` with
        frequencies ``w_k = 10000 ** (-k / half)`` (zero-padded if dim is odd).
    """
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(
        half, dtype=torch.float32, device=t.device) / max(half, 1))
    args = t.float().reshape(-1, 1) * freqs.reshape(1, -1)
    emb = torch.cat([torch.sin(args), torch.cos(args)], dim=1)
    if dim % 2:
        emb = nn.functional.pad(emb, (0, 1))
    return emb


def as_time_steps(t: Union[int, torch.Tensor], num_steps: int,
                  device=None) -> torch.Tensor:
    """``t`` as a 1-D integer tensor of steps in 0..num_steps (an int or
    a (B,) tensor); TypeError / ValueError name what is wrong."""
    t = torch.as_tensor(t, device=device)
    if t.dtype.is_floating_point or t.dtype == torch.bool:
        raise TypeError(f'time steps must be integers, got {t.dtype}')
    t = t.reshape(-1)
    # Range check only on CPU: on a GPU it would force a host sync.
    if t.device.type == 'cpu' and t.numel() and (
            t.min() < 0 or t.max() > num_steps):
        raise ValueError(f'time steps must lie in 0..{num_steps}, '
                         f'got {t.tolist()}')
    return t


def _head_key(name: str) -> str:
    # ModuleDict keys may not contain '.', module names always do.
    return name.replace('.', '-')


@MODELS.register_module()
class TimeConditioner(nn.Module):
    """FiLM/AdaLN time modulation of selected blocks of any backbone.

    Args:
        embed_dim (int): width of the sinusoidal embedding.
        block_types (list[str], optional): class names of the blocks to
            modulate, e.g. ``['NAFBlock']``, ``['TransformerBlock']``
            (Restormer), ``['SwinTransformerBlock']`` (SwinIR).
        name_patterns (list[str], optional): regexes fully matched against
            module names (``named_modules()``), e.g.
            ``[r'encoders\\.\\d+\\.\\d+']`` for NAFNet's encoder blocks
            only. When both criteria are given a module must satisfy both
            (type AND name); at least one is needed.
        num_steps (int): T; time steps must lie in 0..T.
        hidden_dim (int, optional): width of the time MLP (4 * embed_dim).
        shift_fold_into (dict, optional): for norm layers without a bias
            (Restormer's BiasFree LayerNorm): the 1x1 conv / linear that reads
            each norm's output, as ``{norm name: path from the norm's parent}``,
            e.g. ``{'norm1': 'attn.qkv', 'norm2': 'ffn.project_in'}``, so that
            the shift folds exactly at inference (see :meth:`fold`).

    Channel layout of a block output (read in a dry pass at attach time):
    4-D/5-D outputs are ``(B, C, H, W[, D])`` and modulated on dim 1; 3-D
    outputs are token tensors ``(B, L, C)`` (SwinIR) modulated on the last
    dim; 2-D outputs are ``(B, C)``.

    The heads' last linear layers are zero-initialised, so right after
    ``attach`` the conditioned backbone computes exactly the plain one.
    """

    def __init__(self,
                 embed_dim: int = 64,
                 block_types: Optional[Sequence[str]] = None,
                 name_patterns: Optional[Sequence[str]] = None,
                 num_steps: int = 50,
                 hidden_dim: Optional[int] = None,
                 shift_fold_into: Optional[Dict[str, str]] = None):
        super().__init__()
        self.shift_fold_into = dict(shift_fold_into or {})
        self.block_types = tuple(block_types or ())
        self.name_patterns = tuple(name_patterns or ())
        if not self.block_types and not self.name_patterns:
            raise ValueError('TimeConditioner needs block_types and/or '
                             'name_patterns to select the blocks to modulate')
        for p in self.name_patterns:
            re.compile(p)  # a bad regex fails at build time, not at attach
        self.embed_dim = embed_dim
        self.num_steps = num_steps
        self.hidden_dim = hidden_dim or 4 * embed_dim
        self.time_mlp = nn.Sequential(
            nn.Linear(embed_dim, self.hidden_dim), nn.SiLU(),
            nn.Linear(self.hidden_dim, self.hidden_dim))
        self.heads = nn.ModuleDict()  # filled by attach(): key -> head
        self.selected: List[str] = []  # module names currently hooked
        self._layout: Dict[str, tuple] = {}  # key -> (ndim, channel dim)
        self._handles = []
        self._time: Optional[torch.Tensor] = None
        self._mods: Optional[Dict[str, tuple]] = None  # this forward's
        self._frozen: Optional[Dict[str, tuple]] = None
        self._targets: Dict[str, nn.Module] = {}  # key -> hooked module
        self._folded: Dict[str, list] = {}  # key -> original weights
        self._consumers: Dict[str, nn.Module] = {}  # key -> shift's layer
        # key -> NAFNet norm layer whose forward this computes (no hook)
        self._norms: Dict[str, nn.Module] = {}
        # see attach(); a buffer, to follow .to(device), not saved
        self.register_buffer('_norm_order', None, persistent=False)

    # ----------------------------------------------------------- attaching
    def attach(self,
               backbone: nn.Module,
               example_input: Optional[torch.Tensor] = None) -> List[str]:
        """Select blocks, create their heads and hook them.

        Args:
            backbone (nn.Module): any network; it is not modified (only
                forward hooks are registered on it).
            example_input (Tensor, optional): a small valid input for one dry
                pass that reads each block's channel count and layout.
                Default: zeros (1, 3, 32, 32) on the backbone's device.
                It runs in eval mode; training flags are restored.

        Returns:
            list[str]: the hooked module names. Heads already present (from
            an earlier attach) are reused if their width fits. The heads exist
            only after attach: load a state_dict into the conditioner after
            attaching it (a restorer attaches in its __init__).
        """
        if self._handles:
            raise RuntimeError('TimeConditioner is already attached; call '
                               'detach() first')
        names = self.select(backbone)
        shapes = probe_output_shapes(backbone, names, example_input,
                                     who=type(self).__name__)
        ref = next(self.time_mlp.parameters())
        for name in names:
            shape, key = shapes[name], _head_key(name)
            if len(shape) not in (2, 3, 4, 5):
                raise ValueError(f'TimeConditioner: cannot modulate block '
                                 f'{name} with output shape {tuple(shape)}')
            cdim = 2 if len(shape) == 3 else 1
            channels = shape[cdim]
            if key in self.heads:
                if self.heads[key][-1].out_features != 2 * channels:
                    raise ValueError(
                        f'TimeConditioner: head {key} was built for '
                        f'{self.heads[key][-1].out_features // 2} channels, '
                        f'block {name} has {channels}')
            else:
                self.heads[key] = nn.Sequential(
                    nn.SiLU(), nn.Linear(self.hidden_dim, 2 * channels)).to(
                        ref.device, ref.dtype)
                self._zero_head(self.heads[key])
            self._layout[key] = (len(shape), cdim)
        modules = dict(backbone.named_modules())
        # Bound methods and partials, not closures: a hooked backbone stays
        # picklable and deep-copyable (EMA copies).
        self._norms = {
            _head_key(n): modules[n] for n in names
            if type(modules[n]) is LayerNorm2d and len(shapes[n]) == 4
            and 'forward' not in modules[n].__dict__}
        for key, norm in self._norms.items():
            norm.forward = functools.partial(self._norm_forward, key, norm)
        # columns of the norms' concatenated head outputs, [scale_k, shift_k]
        # per norm, reordered to all scales, then all shifts
        widths = [norm.weight.numel() for norm in self._norms.values()]
        starts = [sum(widths[:i]) * 2 for i in range(len(widths))]
        self._norm_order = torch.tensor(
            [s + j for s, c in zip(starts, widths) for j in range(c)] +
            [s + c + j for s, c in zip(starts, widths) for j in range(c)],
            dtype=torch.long, device=ref.device)
        self._handles = [
            modules[n].register_forward_hook(
                functools.partial(self._block_hook, _head_key(n)))
            for n in names if _head_key(n) not in self._norms
        ]
        self._handles += [
            backbone.register_forward_pre_hook(self._begin_forward),
            backbone.register_forward_hook(self._end_forward)
        ]
        self.selected = names
        self._targets = {_head_key(n): modules[n] for n in names}
        self._consumers = {}
        for n in names:
            parent, _, last = n.rpartition('.')
            if last in self.shift_fold_into:
                path = '.'.join(filter(None, [parent,
                                              self.shift_fold_into[last]]))
                if path not in modules:
                    raise ValueError(
                        f'TimeConditioner: shift_fold_into maps {last!r} to '
                        f'{self.shift_fold_into[last]!r}, but {path} is not a '
                        f'module of {type(backbone).__name__}')
                if not is_pointwise(modules[path]):
                    raise ValueError(
                        f'TimeConditioner: shift_fold_into: {path} is a '
                        f'{type(modules[path]).__name__}, not a 1x1 conv / '
                        'linear, so a shift cannot be folded into it exactly')
                self._consumers[_head_key(n)] = modules[path]
        return names

    def select(self, backbone: nn.Module) -> List[str]:
        """Names of the backbone's modules this config selects (raises a
        ValueError naming block_types / name_patterns if there are none)."""
        return select_modules(backbone, self.block_types, self.name_patterns,
                              who=type(self).__name__)

    def detach(self) -> None:
        """Remove every hook; the backbone computes its plain output again
        (the heads and their weights stay here for a later attach)."""
        self.unfold()
        for h in self._handles:
            h.remove()
        for norm in self._norms.values():
            del norm.forward
        self._handles, self.selected, self._targets = [], [], {}
        self._norms, self._norm_order = {}, None
        self._consumers = {}
        self._mods = self._frozen = None

    @property
    def attached(self) -> bool:
        return bool(self._handles)

    @staticmethod
    def _zero_head(head: nn.Sequential) -> None:
        nn.init.zeros_(head[-1].weight)
        nn.init.zeros_(head[-1].bias)

    def init_weights(self) -> None:
        """Re-zero the heads' last layers. mmengine calls a child's
        init_weights after the parent's init_cfg, so a parent-level
        initialiser cannot break the identity-at-init property."""
        for head in self.heads.values():
            self._zero_head(head)

    # ---------------------------------------------------------------- time
    def _check_time(self, t: Union[int, torch.Tensor]) -> torch.Tensor:
        return as_time_steps(t, self.num_steps,
                             next(self.parameters()).device)

    def set_time(self, t: Union[int, torch.Tensor, None]) -> None:
        """Time for the following forward passes: LongTensor (B,) (one step
        per sample; (1,) or an int broadcasts), or None (hooks become the
        identity). Clears a freeze_time cache, which would be stale once the
        weights train."""
        self.unfold()
        self._frozen = None
        self._time = None if t is None else self._check_time(t)

    @torch.no_grad()
    def freeze_time(self, t: Optional[int]) -> None:
        """Compute each block's ``(1 + scale, shift)`` for a constant step
        once; later forwards cost one fused multiply-add per modulated
        output, or nothing after :meth:`fold`. ``None`` drops the cache."""
        self.unfold()
        if t is None:
            self._frozen = None
            return
        if not self.attached:
            raise RuntimeError('freeze_time needs an attached TimeConditioner')
        t = self._check_time(t)
        if t.numel() != 1:
            raise ValueError(f'freeze_time takes one step, got {t.tolist()}')
        self._time = None
        self._frozen = self.modulations(t)

    def fold(self) -> bool:
        """After :meth:`freeze_time`: fold the cached (1 + scale, shift) of
        every hooked module into the weights (see ``folding.py``) and make
        the hooks pass through, so inference costs exactly the plain
        backbone's. Foldable: Conv2d / Linear outputs, and norm layers with a
        per-channel affine weight and either a bias or a pointwise consumer
        named in ``shift_fold_into``. Returns False (nothing done) when a
        hooked module is not foldable (e.g. a whole block); the cached
        in-place modulation then stays, with the same result. Undone by
        :meth:`unfold`, :meth:`set_time`, :meth:`freeze_time` and
        :meth:`detach`; never leave a model folded while training or saving.
        """
        if self._frozen is None:
            raise RuntimeError('fold() needs freeze_time(t) first')
        if self._folded:
            return True
        if not all(self._foldable(k) for k in self._targets):
            return False
        for key, m in self._targets.items():
            a, b = self._frozen[key]
            self._folded[key] = fold_affine(m, a, b) if isinstance(
                m, FOLDABLE) else fold_norm(m, a, b,
                                            self._consumers.get(key))
        return True

    def _foldable(self, key: str) -> bool:
        m = self._targets[key]
        if isinstance(m, FOLDABLE):
            return True
        owner = norm_affine_owner(m)
        if owner is None:
            return False
        return isinstance(getattr(owner, 'bias', None), torch.Tensor) or \
            key in self._consumers

    def unfold(self) -> None:
        """Restore the weights :meth:`fold` changed (no-op when unfolded)."""
        for saved in self._folded.values():
            restore(saved)
        self._folded = {}

    # ------------------------------------------------------------- forward
    def modulations(self, t: torch.Tensor) -> Dict[str, tuple]:
        """Every hooked module's ``(1 + scale, shift)`` for the steps ``t``
        (B,), shaped to broadcast over its output, e.g. (B, C, 1, 1), or
        (B, 1, C) for (B, L, C) tokens.

        Computed for all modules at once, before the backbone runs: one
        embedding, one time MLP and one SiLU of its output (the first layer
        of every head, the same for all of them), then each head's linear
        layer (``heads[key] = Sequential(SiLU, Linear)``). The hooks only
        look their pair up."""
        act = self._time_features(t)
        return {key: self._scale_shift(key, act)
                for key in map(_head_key, self.selected)}

    def _time_features(self, t: torch.Tensor) -> torch.Tensor:
        """SiLU(time MLP(embedding(t))): what every head reads."""
        emb = sinusoidal_embedding(t, self.embed_dim)
        # in the heads' dtype (a float64 model; autocast casts by itself)
        emb = emb.to(self.time_mlp[0].weight.dtype)
        return nn.functional.silu(self.time_mlp(emb))

    def _forward_modulations(self, t: torch.Tensor) -> Dict[str, tuple]:
        """This forward's modulations: :meth:`modulations`' pair for each
        hooked module, and for each NAFNet norm directly its per-sample
        ``(w (1 + scale), b (1 + scale) + shift)``, (B, C) each.

        The norms' pairs come from a few ops over all norms at once (their
        heads' outputs concatenated, reordered into all scales then all
        shifts, one multiply and one multiply-add with the concatenated
        norm weights, then split): per norm, a few small ops in each
        direction, each with a fixed overhead far above its arithmetic on a
        CPU, were most of what the conditioning still cost the tiny
        NAFNet."""
        act = self._time_features(t)
        mods = {key: self._scale_shift(key, act)
                for key in map(_head_key, self.selected)
                if key not in self._norms}
        if self._norms:
            keys, norms = list(self._norms), list(self._norms.values())
            out = torch.cat([
                nn.functional.linear(act, self.heads[k][-1].weight,
                                     self.heads[k][-1].bias) for k in keys
            ], 1)
            scale, shift = out.index_select(1, self._norm_order).chunk(2, 1)
            gain = scale + 1
            weight = torch.cat([n.weight for n in norms]) * gain
            bias = torch.addcmul(shift, torch.cat([n.bias for n in norms]),
                                 gain)
            sizes = [n.weight.numel() for n in norms]
            mods.update(zip(keys, zip(weight.split(sizes, 1),
                                      bias.split(sizes, 1))))
        return mods

    def _scale_shift(self, key: str, act: torch.Tensor) -> tuple:
        scale, shift = self.heads[key][-1](act).chunk(2, dim=1)
        if key in self._norms:  # (B, C): the norm's per-sample affine
            return 1 + scale, shift
        ndim, cdim = self._layout[key]
        shape = [act.shape[0]] + [1] * (ndim - 1)
        shape[cdim] = scale.shape[1]
        return (1 + scale).reshape(shape), shift.reshape(shape)

    def _begin_forward(self, backbone, args) -> None:
        # All modulations are computed once per backbone forward.
        self._mods = None
        if self._frozen is None and self._time is not None:
            self._mods = self._forward_modulations(self._time)

    def _end_forward(self, backbone, args, output) -> None:
        self._mods = None  # it holds the autograd graph of this pass

    def _block_hook(self, key: str, module, args,
                    h: torch.Tensor) -> Optional[torch.Tensor]:
        if self._folded or (self._frozen is None and self._mods is None):
            # folded into the layer's weights, or no time set: untouched
            return None
        if h.dim() != self._layout[key][0]:
            raise ValueError(
                f'TimeConditioner: block {key} returned a {h.dim()}-D output '
                f'but a {self._layout[key][0]}-D one at attach time')
        a, b = (self._frozen if self._frozen is not None else
                self._mods)[key]
        if self._frozen is None and a.shape[0] not in (1, h.shape[0]):
            raise ValueError(
                f'TimeConditioner: {a.shape[0]} time steps for a batch of '
                f'{h.shape[0]} at block {key}')
        # Keep the block's dtype under autocast/half precision, and follow
        # the block if the model moved after freeze_time (no-op otherwise).
        a, b = a.to(h.device, h.dtype), b.to(h.device, h.dtype)
        if self._frozen is not None and not torch.is_grad_enabled():
            # Inference at a constant t: modulate the block output in place
            # (one pass, no new tensor), the cheapest form short of folding.
            return torch.addcmul(b, h, a, out=h)
        return torch.addcmul(b, h, a)

    def _norm_forward(self, key: str, norm: nn.Module,
                      x: torch.Tensor) -> torch.Tensor:
        """A hooked NAFNet ``LayerNorm2d``'s output, modulated: the layer
        norm with per-sample weight ``w a`` and bias ``b a + s`` (one pass,
        see ``layer_norm_2d.py``). Unmodulated (no time, or folded into the
        weights): mmagic's own forward, or the exactly twice
        differentiable one inside ``exact_derivatives()``."""
        if self._folded or (self._frozen is None and self._mods is None):
            if exact_derivatives_on():
                return layer_norm_2d(x, norm.weight, norm.bias, norm.eps)
            return LayerNorm2d.forward(norm, x)
        if x.dim() != 4:
            raise ValueError(
                f'TimeConditioner: block {key} got a {x.dim()}-D input but '
                'a 4-D one at attach time')
        if self._frozen is None:  # this forward's (see _forward_modulations)
            weight, bias = self._mods[key]
            if weight.shape[0] not in (1, x.shape[0]):
                raise ValueError(
                    f'TimeConditioner: {weight.shape[0]} time steps for a '
                    f'batch of {x.shape[0]} at block {key}')
        else:
            a, s = self._frozen[key]
            if a.device != x.device:  # the model moved after freeze_time
                a, s = a.to(x.device), s.to(x.device)
            weight, bias = norm.weight * a, torch.addcmul(s, norm.bias, a)
        return layer_norm_2d(x, weight, bias, norm.eps)

    def __getstate__(self):
        # The per-forward modulations are non-leaf tensors (not
        # deep-copyable).
        state = self.__dict__.copy()
        state['_mods'] = None
        return state

    def extra_repr(self) -> str:
        return (f'block_types={list(self.block_types)}, name_patterns='
                f'{list(self.name_patterns)}, num_steps={self.num_steps}, '
                f'attached_modules={len(self.selected)}')
