"""Convert a released DiffUIR checkpoint (github iSEE-Laboratory/DiffUIR)
into an mmengine checkpoint that mmdiffir loads strictly.

    python tools/model_converters/diffuir_to_mmdiffir.py SRC OUT --config CFG
        [--weights ema|model]

SRC is the reference trainer's ``model-N.pt``: ``{'step', 'model', 'opt0',
'ema', 'scaler'}``. ``model`` is the ``ResidualDiffusion`` state dict (the
UNet under ``model.unet0.*`` plus its schedule tables); ``ema`` is the state
dict of ``ema_pytorch.EMA`` (``ema_model.*`` = the averaged
``ResidualDiffusion``, ``online_model.*`` = the live one in the versions
that register it, and the ``initted`` / ``step`` counters). The EMA weights
are taken by default, as the reference tests with them. Every size (T, S,
B, L) maps; CFG is the mmdiffir config of that size, e.g.
``configs/diffuir/diffuir_unet-l_1xb10-lr8e-5-600k_universal5.py``.

Dropped knowingly, and only after checking them:
- the schedule tables of ``ResidualDiffusion`` (``alphas``,
  ``alphas_cumsum``, ``delta``, ``delta_cumsum``, ``betas*``,
  ``posterior_*``, ...): the schedule is data in mmdiffir
  (``DiffUIRSchedule``); ``alphas_cumsum`` and ``delta_cumsum`` must equal
  the config's abar and dbar.
- ``online_model.*``, ``initted``, ``step`` of the EMA (with ``--weights
  ema``), ``opt0``, ``scaler``, ``step`` of the file.
Any other key that does not map, and any key the model needs that the file
lacks, is an error listing them.
"""
import argparse
import os.path as osp
import re
import sys
from typing import List, Tuple

import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from checkpoint_io import (StateDict, build_model, check_strict,  # noqa
                           fail_on, load_source, save_checkpoint, strip_prefix)

SCHEDULE_TABLES = frozenset((
    'alphas', 'alphas_cumsum', 'delta', 'delta_cumsum',
    'one_minus_alphas_cumsum', 'betas2', 'betas', 'betas2_cumsum',
    'betas_cumsum', 'posterior_mean_coef1', 'posterior_mean_coef2',
    'posterior_mean_coef3', 'posterior_variance',
    'posterior_log_variance_clipped'))
EMA_COUNTERS = frozenset(('initted', 'step'))
UNET = 'model.unet0.'

# reference Unet module paths -> mmdiffir DiffUIRUNet's, applied in order
_LEVEL_PARTS = {'0': 'block1', '1': 'block2', '2': 'attn', '3': None}
_RULES = [
    (r'\.mlp\.1\.', '.time_proj.1.'),       # ResnetBlock time projection
    (r'\.res_conv\.', '.skip.'),
    (r'\.fn\.norm\.', '.norm.'),            # Residual(PreNorm(attn))
    (r'\.fn\.fn\.', '.'),
    (r'^final_res_block\.', 'final_block.'),
]


def select_weights(ckpt: dict, weights: str, src: str
                   ) -> Tuple[StateDict, List[str]]:
    """The ``ResidualDiffusion`` state dict of the chosen weights and the
    keys of the EMA wrapper that were left out."""
    if weights not in ckpt:
        raise KeyError(f'{src}: no {weights!r} entry (top-level keys: '
                       f'{sorted(ckpt)}); is it a DiffUIR trainer file?')
    state = strip_prefix(dict(ckpt[weights]))
    if weights == 'model':
        return state, []
    ema = {k[len('ema_model.'):]: v for k, v in state.items()
           if k.startswith('ema_model.')}
    if not ema:
        raise KeyError(f'{src}: the "ema" entry has no ema_model.* keys '
                       f'(keys: {sorted(state)[:8]})')
    left = [k for k in state if not k.startswith('ema_model.')]
    fail_on([k for k in left if not k.startswith('online_model.')
             and k not in EMA_COUNTERS],
            'keys of the EMA entry are neither ema_model.*, online_model.* '
            'nor its counters', src)
    return ema, ['ema.' + k for k in left]


def unet_key(rest: str) -> str:
    """A reference ``Unet`` key (after ``model.unet0.``) -> DiffUIRUNet's."""
    m = re.match(r'(downs|ups)\.(\d+)\.(\d)\.(.*)', rest)
    if m:
        side = 'encoder' if m.group(1) == 'downs' else 'decoder'
        part = _LEVEL_PARTS[m.group(3)] or \
            ('down' if side == 'encoder' else 'up')
        rest = f'{side}.{m.group(2)}.{part}.{m.group(4)}'
        if part in ('down', 'up'):
            return rest
    for pattern, repl in _RULES:
        rest = re.sub(pattern, repl, rest)
    return rest


def convert(state: StateDict, src: str = 'checkpoint'
            ) -> Tuple[StateDict, List[str]]:
    """-> (mmdiffir state dict under ``generator.``, the dropped keys)."""
    out, dropped, unmapped = {}, [], []
    for key, value in state.items():
        if key.startswith(UNET):
            out['generator.' + unet_key(key[len(UNET):])] = value
        elif key in SCHEDULE_TABLES:
            dropped.append(key)
        else:
            unmapped.append(key)
    fail_on(unmapped, 'keys of the released file map to nothing in '
            'mmdiffir (not a DiffUIR ResidualDiffusion with one UnetRes)',
            src)
    return out, dropped


def check_schedule(state: StateDict, model, src: str) -> None:
    """The released abar / dbar tables must be the config's schedule."""
    sched = model.schedule
    for key, ours in (('alphas_cumsum', sched.abar),
                      ('delta_cumsum', sched.dbar)):
        theirs = state.get(key)
        if theirs is None:
            continue
        if theirs.shape != ours.shape or not torch.allclose(
                theirs.double(), ours, atol=1e-5):
            raise ValueError(f'{src}: {key} differs from the config '
                             'schedule (T, delta_end?)')


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument('src', help='released trainer file (model-N.pt)')
    parser.add_argument('out', help='mmengine checkpoint to write')
    parser.add_argument('--config', required=True,
                        help='mmdiffir config of the same UNet size')
    parser.add_argument('--weights', choices=['ema', 'model'], default='ema',
                        help='which weights to take (default: ema)')
    args = parser.parse_args(argv)
    ckpt = load_source(args.src)
    state, left = select_weights(ckpt, args.weights, args.src)
    converted, dropped = convert(state, args.src)
    model = build_model(args.config)
    check_schedule(state, model, args.src)
    check_strict(model, converted, args.src)
    dropped = sorted(dropped + left)
    save_checkpoint(converted, args.out, meta=dict(
        converted_from=osp.basename(args.src),
        converter='diffuir_to_mmdiffir', weights=args.weights,
        config=args.config, dropped_keys=dropped))
    print(f'DiffUIR ({args.weights}): {len(converted)} tensors -> '
          f'{args.out} ({len(dropped)} schedule / EMA keys dropped)')


if __name__ == '__main__':
    main()
