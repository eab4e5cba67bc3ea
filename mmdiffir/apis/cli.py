"""``mmdiffir-infer`` / ``python tools/infer.py``: restore a file, a folder
or a glob pattern into an output folder.

    python tools/infer.py CONFIG CHECKPOINT INPUT OUT_DIR [--task rain]
        [--tile 512 --tile-overlap 32] [--flip 8] [--device cpu]
        [--ext .png] [--recursive] [--dry-run]

File names (and subfolders, with --recursive; for a glob, the path below
the pattern's fixed folder), bit depth (8/16) and channels (grey, RGB, RGBA
with the alpha passed through) are kept. Before the model is loaded, the
options are checked (--ext, --device, 16-bit inputs for an 8-bit-only
--ext), and two inputs that would be written to one output (x.png and x.jpg
with --ext .png) or an output that is one of the inputs are refused (the dry
run lists them). During the run a file that fails (unreadable, truncated,
unwritable) is reported by name and the others continue; the summary lists
every skipped file and the exit status is 1 when any was skipped.
"""
import argparse
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Tuple

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
                   'haze: the config\'s task names or those of mmdiffir/t_mat.py)')
    p.add_argument('--t-mat', type=int, help='EEDTP: the time step itself')
    p.add_argument('--allow-untrained-t-mat', action='store_true',
                   help='EEDTP multi-task: accept a --t-mat that the model '
                   'was not trained on (refused otherwise)')
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


def normalise_ext(ext: Optional[str]) -> Optional[str]:
    """'png' / '.PNG' -> '.png'; ValueError for a format cv2 cannot write."""
    from mmdiffir.utils.image_file import IMAGE_EXTENSIONS
    if ext is None:
        return None
    ext = ('.' + ext.lstrip('.')).lower()
    if ext not in IMAGE_EXTENSIONS:
        raise ValueError(f'--ext {ext}: unknown image format; choose one of '
                         f'{", ".join(IMAGE_EXTENSIONS)}')
    return ext


def check_device(device: Optional[str]) -> None:
    """ValueError for a device string torch does not parse, or a GPU that
    is not there (before minutes of model loading)."""
    import torch
    if device is None:
        return
    try:
        dev = torch.device(device)
    except RuntimeError as err:
        raise ValueError(f'--device {device}: {err}') from err
    if dev.type == 'cuda':
        if not torch.cuda.is_available():
            raise ValueError(f'--device {device}: no CUDA GPU is available '
                             '(use --device cpu)')
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(f'--device {device}: only '
                             f'{torch.cuda.device_count()} GPU(s)')


def collisions(pairs: List[Tuple[str, str]]) -> Dict[str, List[str]]:
    """output -> its inputs, for every output that two inputs map to."""
    by_output: Dict[str, List[str]] = {}
    for src, dst in pairs:
        key = osp.normcase(osp.realpath(dst))
        by_output.setdefault(key, []).append(src)
    return {dst: srcs for dst, srcs in by_output.items() if len(srcs) > 1}


def unwritable(pairs: List[Tuple[str, str]]) -> List[str]:
    """Inputs of more than 8 bits whose output format holds only 8."""
    from mmdiffir.utils.image_file import (EIGHT_BIT_ONLY,
                                           image_bit_depth)
    return [src for src, dst in pairs
            if osp.splitext(dst)[1].lower() in EIGHT_BIT_ONLY and
            image_bit_depth(src) > 8]


def plan(source: str, out_dir: str, ext: Optional[str] = None,
         recursive: bool = False) -> List[Tuple[str, str]]:
    """(input, output) pairs. Raises FileNotFoundError for a missing input,
    FileExistsError when an output would replace an input file, ValueError
    for an unknown ``ext``. Outputs two inputs share are reported by
    :func:`collisions`."""
    from mmdiffir.utils.image_file import list_inputs, relative_name
    inputs = list_inputs(source, recursive)
    if not inputs:
        raise FileNotFoundError(f'no image file in {source}')
    ext = normalise_ext(ext)
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
    """Returns the exit status: 0, 1 when some files were skipped, 2 for a
    dry run that found problems. Missing paths and bad options raise
    (FileNotFoundError, ValueError, KeyError) with the offending name."""
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    if not osp.isfile(args.config) and args.config.endswith('.py'):
        raise FileNotFoundError(f'config file not found: {args.config}')
    pairs = plan(args.input, args.out_dir, args.ext, args.recursive)
    check_device(args.device)
    clashes = collisions(pairs)
    deep = unwritable(pairs)
    problems = [f'{len(srcs)} inputs would be written to one output '
                f'{dst}: {", ".join(srcs)}' for dst, srcs in clashes.items()]
    problems += [f'{src} is 16-bit; {osp.splitext(dst)[1]} holds 8 bits '
                 '(choose --ext .png or .tif)' for src, dst in pairs
                 if src in deep]
    if args.dry_run:
        for src, dst in pairs:
            print(f'{src} -> {dst}')
        for line in problems:
            print(f'refused: {line}', file=sys.stderr)
        print(f'dry run: {len(pairs)} file(s) would be restored into '
              f'{args.out_dir}' + (f'; {len(problems)} problem(s), the run '
                                   'would be refused' if problems else ''))
        return 2 if problems else 0
    if problems:
        raise FileExistsError('; '.join(problems)) if clashes else \
            ValueError('; '.join(problems))
    from .inferencer import RestorationInferencer
    inf = RestorationInferencer(
        args.config, args.checkpoint, device=args.device, task=args.task,
        t_mat=args.t_mat, tile=args.tile, tile_overlap=args.tile_overlap,
        flip=args.flip, seed=args.seed, cfg_options=args.cfg_options,
        allow_untrained_t_mat=args.allow_untrained_t_mat)
    inf.tile_progress = True
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
        print(f'skipped {len(failed)} file(s):', file=sys.stderr)
        for path, why in failed.items():
            print(f'  {path}: {why}', file=sys.stderr)
        return 1
    return 0


def cli() -> None:
    """Console entry point: errors as one line naming the path / key."""
    from mmdiffir.utils.console import quiet_library_warnings
    quiet_library_warnings()
    try:
        status = main()
    except (FileNotFoundError, FileExistsError, ValueError, KeyError) as err:
        print(f'mmdiffir-infer: error: {err}', file=sys.stderr)
        status = 2
    sys.exit(status)


if __name__ == '__main__':
    cli()
