"""Prepare a trained checkpoint for release: keep the weights and meta,
drop the optimizer / scheduler / message-hub state, and name the file
after the first 8 hex digits of its sha256 (OpenMMLab's convention), so
that a download can be checked against its name.

    python tools/model_converters/publish_model.py IN.pth OUT.pth
        [--metafile configs/<method>/metafile.yml --model NAME]

OUT.pth becomes OUT-<sha256[:8]>.pth. With --metafile and --model, that
model's ``Weights`` entry in the metafile is set to the published file.
"""
import argparse
import hashlib
import os
import os.path as osp
import re
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

import torch  # noqa: E402
import yaml  # noqa: E402

from mmdiffir.utils.checkpoint import safe_torch_load  # noqa: E402

KEEP = ('state_dict', 'meta')


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('in_file', help='checkpoint written by tools/train.py')
    p.add_argument('out_file', help='published name (the sha256 prefix is '
                   'appended)')
    p.add_argument('--metafile', help='metafile.yml to record it in')
    p.add_argument('--model', help='the model\'s Name in --metafile')
    args = p.parse_args(argv)
    if bool(args.metafile) != bool(args.model):
        p.error('--metafile and --model go together')
    return args


def sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def record_in_metafile(metafile: str, model: str, weights: str) -> None:
    """Set ``Weights: <weights>`` in ``model``'s entry, editing that one
    line (the rest of the file keeps its layout). KeyError naming the model
    and the file when there is no such entry."""
    with open(metafile) as f:
        lines = f.read().splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines)
                  if re.fullmatch(rf'- Name: {re.escape(model)}\s*', line)),
                 None)
    if start is None:
        raise KeyError(f'{metafile} has no model named {model}')
    end = next((i for i in range(start + 1, len(lines))
                if not lines[i].startswith((' ', '\n'))), len(lines))
    entry = f'  Weights: {weights}\n'
    for i in range(start + 1, end):
        if lines[i].startswith('  Weights:'):
            lines[i] = entry
            break
    else:
        lines.insert(end, entry)
    text = ''.join(lines)
    models = {m['Name']: m for m in yaml.safe_load(text).get('Models', [])}
    assert models[model]['Weights'] == weights, 'metafile edit failed'
    with open(metafile, 'w') as f:
        f.write(text)


def main(argv=None) -> str:
    """Returns the published file's path."""
    args = parse_args(argv)
    ckpt = safe_torch_load(args.in_file, map_location='cpu')
    if not isinstance(ckpt, dict) or 'state_dict' not in ckpt:
        raise KeyError(f'{args.in_file} has no state_dict: not a '
                       'tools/train.py checkpoint')
    dropped = sorted(k for k in ckpt if k not in KEEP)
    slim = {k: ckpt[k] for k in KEEP if k in ckpt}
    stem = osp.splitext(args.out_file)[0]
    os.makedirs(osp.dirname(osp.abspath(args.out_file)), exist_ok=True)
    tmp = stem + '.publishing.pth'
    torch.save(slim, tmp)
    final = f'{stem}-{sha256(tmp)[:8]}.pth'
    os.replace(tmp, final)
    print(f'{args.in_file} -> {final} (dropped: {", ".join(dropped) or "-"}; '
          f'{osp.getsize(args.in_file)} -> {osp.getsize(final)} bytes)')
    if args.metafile:
        record_in_metafile(args.metafile, args.model, final)
        print(f'recorded as the Weights of {args.model} in {args.metafile}')
    return final


if __name__ == '__main__':
    main()
