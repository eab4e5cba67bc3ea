"""What both released-checkpoint converters share: reading the source file,
checking a converted state dict against the mmdiffir model of a config
(strictly: every key present, none left over, every shape equal) and writing
an mmengine checkpoint (``{'meta': ..., 'state_dict': ...}``)."""
import os
import os.path as osp
import sys
from typing import Dict, Iterable

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

from mmdiffir.utils.checkpoint import safe_torch_load  # noqa: E402

StateDict = Dict[str, torch.Tensor]


def load_source(path: str) -> dict:
    """The released file as a dict (tensors and plain containers only: it
    is read with the safe loader, no code in it runs)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'source checkpoint not found: {path}')
    ckpt = safe_torch_load(path, map_location='cpu')
    if not isinstance(ckpt, dict):
        raise ValueError(f'{path}: expected a dict, got {type(ckpt).__name__}')
    return ckpt


def strip_prefix(state: StateDict, prefix: str = 'module.') -> StateDict:
    """Drop ``prefix`` from every key when all keys carry it (weights saved
    from a DDP-wrapped network)."""
    if state and all(k.startswith(prefix) for k in state):
        return {k[len(prefix):]: v for k, v in state.items()}
    return state


def fail_on(keys: Iterable[str], what: str, src: str) -> None:
    keys = sorted(keys)
    if keys:
        raise KeyError(f'{src}: {len(keys)} {what}: {keys}')


def build_model(config: str, cfg_options=None) -> torch.nn.Module:
    """The mmdiffir model of ``config`` (weights as initialised)."""
    from mmengine.config import Config

    from mmengine.registry import DefaultScope

    from mmdiffir.registry import MODELS
    from mmdiffir.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    # the config's types ('DataPreprocessor', ...) resolve in its scope, as
    # under the Runner
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmdiffir')):
        return MODELS.build(cfg.model)


def check_strict(model: torch.nn.Module, state: StateDict, src: str) -> None:
    """Raise KeyError naming every key the model lacks or has in excess and
    ValueError naming every shape that differs; then load ``state`` into
    ``model`` with ``strict=True``."""
    target = model.state_dict()
    missing = sorted(set(target) - set(state))
    unexpected = sorted(set(state) - set(target))
    if missing or unexpected:
        raise KeyError(f'{src}: the converted checkpoint does not fit the '
                       f'model of the config; missing keys ({len(missing)}): '
                       f'{missing}; keys with no place in the model '
                       f'({len(unexpected)}): {unexpected}')
    bad = [f'{k}: {tuple(v.shape)} != model {tuple(target[k].shape)}'
           for k, v in state.items() if v.shape != target[k].shape]
    if bad:
        raise ValueError(f'{src}: shapes differ from the model of the '
                         f'config: {bad}')
    model.load_state_dict(state, strict=True)


def save_checkpoint(state: StateDict, out: str, meta: dict) -> None:
    """Write ``{'meta', 'state_dict'}`` atomically (a temporary file renamed
    into place), so an interrupted run leaves no half-written checkpoint."""
    folder = osp.dirname(osp.abspath(out))
    os.makedirs(folder, exist_ok=True)
    tmp = out + '.part'
    torch.save(dict(meta=meta, state_dict={k: v.contiguous()
                                           for k, v in state.items()}), tmp)
    os.replace(tmp, out)
