"""Convert a released DiffIR checkpoint (BasicSR, github Zj-BinXia/DiffIR)
into an mmengine checkpoint that mmdiffir loads strictly.

    python tools/model_converters/diffir_to_mmdiffir.py SRC OUT --config CFG
        [--param-key params_ema|params]

SRC is a BasicSR ``net_g_*.pth``: ``{'params_ema': ..., 'params': ...}``
(``params_ema`` is taken when present, as the reference's test options do),
keys possibly prefixed ``module.``. Stage 2 (``G.*``, ``condition.*``,
``denoise.*``, ``diffusion.*``) and stage 1 (``G.*``, ``E.*``) are both
recognised; deblurring (DIRformer ``output``) and SR (``tail``) heads map.
CFG is the mmdiffir config the weights are for; a stage-2 file is checked
against that config's model built with ``model.s1=None`` (no stage-1 weights
were released, and testing needs none), e.g.
``configs/diffir/diffir-s2_dirformer-48_official_gopro.py``.

Dropped knowingly, and only after checking them:
- ``diffusion.model.*`` and ``diffusion.condition.*``: the reference's DDPM
  registers the denoiser and CPEN_S2 a second time; they must equal
  ``denoise.*`` / ``condition.*`` exactly.
- ``diffusion.<table>`` (betas, alphas_cumprod, posterior coefficients, ...):
  the schedule is data in mmdiffir (``DiffIRPriorSchedule``); the released
  ``diffusion.betas`` must equal the config's betas.
Any other key that does not map, and any key the model needs that the file
lacks, is an error listing them.
"""
import argparse
import os.path as osp
import re
import sys
from typing import Dict, List, Tuple

import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from checkpoint_io import (StateDict, build_model, check_strict,  # noqa
                           fail_on, load_source, save_checkpoint, strip_prefix)

# the tables of the reference's ldm DDPM (register_schedule)
DDPM_TABLES = frozenset((
    'betas', 'alphas_cumprod', 'alphas_cumprod_prev', 'sqrt_alphas_cumprod',
    'sqrt_one_minus_alphas_cumprod', 'log_one_minus_alphas_cumprod',
    'sqrt_recip_alphas_cumprod', 'sqrt_recipm1_alphas_cumprod',
    'posterior_variance', 'posterior_log_variance_clipped',
    'posterior_mean_coef1', 'posterior_mean_coef2'))
DUPLICATES = {'diffusion.model.': 'denoise.',
              'diffusion.condition.': 'condition.'}


def select_params(ckpt: dict, param_key: str, src: str) -> StateDict:
    """The network's state dict inside a BasicSR file."""
    keys = [param_key] if param_key else ['params_ema', 'params']
    for key in keys:
        if key in ckpt:
            return strip_prefix(dict(ckpt[key]))
    raise KeyError(f'{src}: no {" or ".join(map(repr, keys))} in the file '
                   f'(top-level keys: {sorted(ckpt)[:10]}); is it a BasicSR '
                   'DiffIR checkpoint?')


def _dirformer_key(rest: str, tail_last: int) -> str:
    """A reference DIRformer key (after ``G.``) -> mmdiffir's."""
    rest = re.sub(r'\.(attn|ffn)\.kernel\.0\.', r'.\1.modulation.', rest)
    m = re.match(r'tail\.0\.(\d+)\.(.*)', rest)
    if m:
        return f'output.{m.group(1)}.{m.group(2)}'
    if rest.startswith('tail.1.'):
        return f'output.{tail_last}.' + rest[len('tail.1.'):]
    return rest


def _denoiser_key(rest: str) -> str:
    """``resmlp.0.*`` (input layer) and ``resmlp.i.resmlp.0.*`` (i >= 2,
    hidden layers wrapped in ResMLP) -> ``mlp.j.*`` of one Sequential."""
    m = re.match(r'resmlp\.(\d+)\.resmlp\.0\.(.*)', rest)
    if m:
        return f'mlp.{2 * int(m.group(1)) - 2}.{m.group(2)}'
    return re.sub(r'^resmlp\.0\.', 'mlp.0.', rest)


def convert(state: StateDict, src: str = 'checkpoint'
            ) -> Tuple[str, StateDict, List[str]]:
    """-> (stage 'S1' or 'S2', mmdiffir state dict under ``generator.``,
    the dropped keys)."""
    stage = 'S2' if any(k.startswith('condition.') for k in state) else 'S1'
    tails = [int(m.group(1)) for k in state
             for m in [re.match(r'G\.tail\.0\.(\d+)\.', k)] if m]
    tail_last = max(tails) + 2 if tails else -1  # conv, PixelShuffle, conv
    out: Dict[str, torch.Tensor] = {}
    dropped, unmapped = [], []
    for key, value in state.items():
        dup = next((p for p in DUPLICATES if key.startswith(p)), None)
        if dup is not None:
            twin = DUPLICATES[dup] + key[len(dup):]
            if twin not in state or not torch.equal(state[twin], value):
                raise ValueError(f'{src}: {key} should duplicate {twin} (the '
                                 'reference DDPM shares the module) but it '
                                 'differs or is absent')
            dropped.append(key)
        elif key.startswith('diffusion.') and \
                key[len('diffusion.'):] in DDPM_TABLES:
            dropped.append(key)
        elif key.startswith('G.'):
            out['dirformer.' + _dirformer_key(key[2:], tail_last)] = value
        elif stage == 'S2' and key.startswith('condition.E.'):
            out['cpen.encoder.' + key[len('condition.E.'):]] = value
        elif stage == 'S2' and key.startswith('condition.mlp.'):
            out['cpen.' + key[len('condition.'):]] = value
        elif stage == 'S2' and key.startswith('denoise.'):
            out['denoiser.' + _denoiser_key(key[len('denoise.'):])] = value
        elif stage == 'S1' and key.startswith('E.E.'):
            out['cpen.encoder.' + key[len('E.E.'):]] = value
        elif stage == 'S1' and key.startswith('E.mlp.'):
            out['cpen.' + key[len('E.'):]] = value
        else:
            unmapped.append(key)
    fail_on(unmapped, 'keys of the released file map to nothing in '
            'mmdiffir (not a DiffIR S1/S2 network of this layout)', src)
    return stage, {'generator.' + k: v for k, v in out.items()}, dropped


def check_schedule(state: StateDict, model, src: str) -> None:
    """The released ``diffusion.betas`` must be the config's schedule."""
    betas = state.get('diffusion.betas')
    if betas is None:
        return
    ours = model.generator.schedule.tables['betas']
    if betas.shape != ours.shape or not torch.allclose(
            betas.double(), ours, rtol=1e-5, atol=1e-7):
        raise ValueError(f'{src}: diffusion.betas {betas.tolist()} differ '
                         f'from the config schedule {ours.tolist()}')


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument('src', help='released BasicSR checkpoint (.pth)')
    parser.add_argument('out', help='mmengine checkpoint to write')
    parser.add_argument('--config', required=True,
                        help='mmdiffir config the weights are for')
    parser.add_argument('--param-key', choices=['params_ema', 'params'],
                        help='state dict to take (default: params_ema if '
                        'present, else params)')
    args = parser.parse_args(argv)
    ckpt = load_source(args.src)
    state = select_params(ckpt, args.param_key, args.src)
    stage, converted, dropped = convert(state, args.src)
    options = {'model.s1': None, 'model.s1_checkpoint': None} \
        if stage == 'S2' else None
    model = build_model(args.config, options)
    if stage == 'S2':
        check_schedule(state, model, args.src)
    check_strict(model, converted, args.src)
    save_checkpoint(converted, args.out, meta=dict(
        converted_from=osp.basename(args.src), converter='diffir_to_mmdiffir',
        stage=stage, config=args.config, dropped_keys=sorted(dropped)))
    print(f'DiffIR {stage}: {len(converted)} tensors -> {args.out} '
          f'({len(dropped)} duplicated / schedule keys dropped)')


if __name__ == '__main__':
    main()
