"""``mmdiffir-infer`` / ``python tools/infer.py``: restore a file, a folder
or a glob pattern into an output folder.

    python tools/infer.py CONFIG CHECKPOINT INPUT OUT_DIR [--task rain]
        [--tile 512 --tile-overlap 32] [--flip 8] [--device cpu]
        [--ext .png] [--recursive] [--dry-run]

File names (and subfolders, with --recursive), bit depth (8/16) and channels
(grey, RGB, RGBA with the alpha passed through) are kept. Unreadable files
are skipped and listed at the end (exit status 1). An output path that is
one of the inputs is refused before anything runs.
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional, Tuple

from mmengine.config import DictAction


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog='mmdiffir-infer', description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('config', help='config file or a model name of '
                   'model-index.yml')
    p.add_argument('checkpoint', help='checkpoint file (.pth)')
    p.add_argument('input', help='image file, folder, or quoted glob '
                   'pattern ("photos/*.png")')
    p.add_argument('out_dir', help='output folder (created)')
    p.add_argument('--task', help='EEDTP: task name (e.g. rain, noise, '
                   'haze: the config\'s task names or the paper\'s table)')
    p.add_argument('--t-mat', type=int, help='EEDTP: the time step itself')
    p.add_argument('--tile', type=int, help='restore images larger than '
                   'this tile by tile')
    p.add_argument('--tile-overlap', type=int, help='overlap of tiles '
                   '(default 32)')
    p.add_argument('--flip', type=int, choices=[1, 2, 4, 8],
                   help='flip/transpose self-ensemble size')
    p.add_argument('--device', help='cpu, cuda, cuda:1 (default: GPU when '
                   'available)')
    p.add_argument('--seed', type=int, help='seed for models that sample '
                   'noise at test time (DiffIR S2)')
    p.add_argument('--ext', help='write this format instead of the '
                   'input\'s (e.g. .png)')
    p.add_argument('--recursive', action='store_true',
                   help='include subfolders of an input folder')
    p.add_argument('--dry-run', action='store_true',
                   help='list what would be written and exit')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config entries')
    return p.parse_args(argv)


def plan(source: str, out_dir: str, ext: Optional[str] = None,
         recursive: bool = False) -> List[Tuple[str, str]]:
    """(input, output) pairs. Raises FileNotFoundError for a missing input,
    FileExistsError when an output would replace an input file."""
    from .image_io import list_inputs, relative_name
    inputs = list_inputs(source, recursive)
    if not inputs:
        raise FileNotFoundError(f'no image file in {source}')
    if ext is not None and not ext.startswith('.'):
        ext = '.' + ext
    pairs = []
    for path in inputs:
        name = relative_name(path, source)
        if ext:
            name = osp.splitext(name)[0] + ext
        pairs.append((path, osp.join(out_dir, name)))
    real_inputs = {osp.realpath(p) for p in inputs}
    for src, dst in pairs:
        if osp.realpath(dst) in real_inputs:
            raise FileExistsError(
                f'refusing to overwrite input {src} (output {dst}); choose '
                'another output folder')
    return pairs


def main(argv=None) -> int:
    """Returns the exit status: 0, or 1 when some files were unreadable.
    Missing paths and bad options raise (FileNotFoundError, ValueError,
    KeyError) with the offending name."""
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    if not osp.isfile(args.config) and args.config.endswith('.py'):
        raise FileNotFoundError(f'config file not found: {args.config}')
    pairs = plan(args.input, args.out_dir, args.ext, args.recursive)
    if args.dry_run:
        for src, dst in pairs:
            print(f'{src} -> {dst}')
        print(f'dry run: {len(pairs)} file(s) would be restored into '
              f'{args.out_dir}')
        return 0
    from .inferencer import RestorationInferencer
    inf = RestorationInferencer(
        args.config, args.checkpoint, device=args.device, task=args.task,
        t_mat=args.t_mat, tile=args.tile, tile_overlap=args.tile_overlap,
        flip=args.flip, seed=args.seed, cfg_options=args.cfg_options)
    os.makedirs(args.out_dir, exist_ok=True)
    failed = inf.restore_files([s for s, _ in pairs],
                               args.out_dir,
                               [osp.relpath(d, args.out_dir)
                                for _, d in pairs],
                               progress=True)
    done = len(pairs) - len(failed)
    print(f'restored {done} image(s) into {args.out_dir}'
          + (f' (t_mat {inf.t_mat})' if inf.t_mat is not None else ''))
    if failed:
        print(f'skipped {len(failed)} unreadable file(s):', file=sys.stderr)
        for path, why in failed.items():
            print(f'  {path}: {why}', file=sys.stderr)
        return 1
    return 0


def cli() -> None:
    """Console entry point: errors as one line naming the path / key."""
    try:
        status = main()
    except (FileNotFoundError, FileExistsError, ValueError, KeyError) as err:
        print(f'mmdiffir-infer: error: {err}', file=sys.stderr)
        status = 2
    sys.exit(status)


if __name__ == '__main__':
    cli()
