r"""Rearrange common alternative layouts of published restoration sets into the
folder trees mmdiffir's dataset presets read (see README.md next to this file).

Layouts:
  restormer-style  SRC/input + SRC/target (Restormer, MPRNet, PromptIR test
                   exports) -> the --preset's folders, names kept
                   (rain100: rainy/norain, sots: hazy/gt, lol: low/high,
                   snow100k: synthetic/gt).
  prenet-rain100   PReNet's Rain100L/H: SRC/rainy/rain-001.png with the GT
                   SRC/norain-001.png in the root; or its training folders
                   (RainTrainL/H) with rain-N.png and norain-N.png side by
                   side -> DST/rainy + DST/norain. GT without a rainy partner
                   (PReNet removed 546 RainTrainH inputs) is skipped, reported.
  selfexsr-sr      SelfExSR's Set5/Set14/...: HR and LR mixed in one folder
                   per scale, SRC/image_SRF_4/img_001_SRF_4_{HR,LR}.png
                   -> DST/X4/HR/img_001.png + DST/X4/LR/img_001.png.

Files are symlinked (absolute targets) unless --copy. Nothing is written when
any destination already exists (the error names it) or with --dry-run.

Example:
  python tools/dataset_converters/convert_layout.py --layout restormer-style \
      --preset rain100 --src ~/Datasets/test/Rain100L --dst data/Rain100L
"""
import argparse
import os
import os.path as osp
import re
import shutil
import sys
from collections import Counter

# Same list as mmdiffir.datasets.paired_image_dataset.IMG_EXTENSIONS (a test
# checks it); copied so this script runs without importing torch/mmagic.
IMG_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.ppm',
                  '.webp')

# preset -> (input folder, GT folder): the default data_prefix of
# Rain100Dataset, SOTSDataset, LOLDataset and Snow100KDataset.
PRESETS = {
    'rain100': ('rainy', 'norain'),
    'sots': ('hazy', 'gt'),
    'lol': ('low', 'high'),
    'snow100k': ('synthetic', 'gt'),
}
LAYOUTS = ('restormer-style', 'prenet-rain100', 'selfexsr-sr')


def _images(folder):
    if not osp.isdir(folder):
        raise FileNotFoundError(f'folder not found: {folder}')
    return sorted(f for f in os.listdir(folder)
                  if f.lower().endswith(IMG_EXTENSIONS)
                  and osp.isfile(osp.join(folder, f)))


def _pair(inputs, gts, sub_in, sub_gt):
    """inputs/gts: key -> source path. Returns (plan, skipped) keeping only
    keys present on both sides; dst names are the source names."""
    plan, skipped = [], []
    for key in sorted(set(inputs) | set(gts)):
        if key in inputs and key in gts:
            plan += [(p, osp.join(sub, osp.basename(p)))
                     for p, sub in ((inputs[key], sub_in), (gts[key], sub_gt))]
        else:
            lone = inputs.get(key) or gts[key]
            skipped.append((lone, 'no partner'))
    return plan, skipped


def plan_restormer(src, preset):
    if preset not in PRESETS:
        raise ValueError(f'--layout restormer-style needs --preset, one of '
                         f'{sorted(PRESETS)}')
    plan = []
    for side, sub in zip(('input', 'target'), PRESETS[preset]):
        files = _images(osp.join(src, side))
        if not files:
            raise FileNotFoundError(f'no images in {osp.join(src, side)}')
        plan += [(osp.join(src, side, f), osp.join(sub, f)) for f in files]
    return plan, []


def plan_prenet(src):
    inputs, gts, skipped = {}, {}, []
    rainy = osp.join(src, 'rainy')
    # The test sets keep the rainy images in rainy/, the training sets beside
    # the GT in the root; both are read.
    cands = [osp.join(rainy, f) for f in _images(rainy)] if osp.isdir(
        rainy) else []
    cands += [osp.join(src, f) for f in _images(src)]
    for path in cands:
        stem = osp.splitext(osp.basename(path))[0]
        m = re.fullmatch(r'(no)?rain-(.+)', stem)
        if m is None and osp.dirname(path) == rainy:
            inputs[stem] = path
        elif m is None:
            skipped.append((path, 'not named rain-*/norain-*'))
        else:
            side = gts if m.group(1) else inputs
            if m.group(2) in side:
                raise ValueError(f'two files for key {m.group(2)!r}: '
                                 f'{side[m.group(2)]} and {path}')
            side[m.group(2)] = path
    if not inputs or not gts:
        raise FileNotFoundError(
            f'{src} is not a PReNet Rain100 folder: need rain-*.png (in '
            f'rainy/ or the root) and norain-*.png in the root')
    plan, lone = _pair(inputs, gts, 'rainy', 'norain')
    return plan, skipped + lone


def plan_selfexsr(src):
    plan, skipped = [], []
    folders = sorted(d for d in os.listdir(src) if re.fullmatch(
        r'image_SRF_\d+', d) and osp.isdir(osp.join(src, d))) if osp.isdir(
            src) else []
    if not folders:
        raise FileNotFoundError(f'no image_SRF_<scale> folders in {src}')
    for d in folders:
        scale = d.rsplit('_', 1)[1]
        sides = {'HR': {}, 'LR': {}}
        for f in _images(osp.join(src, d)):
            stem, ext = osp.splitext(f)
            m = re.fullmatch(rf'(.+)_SRF_{scale}_(HR|LR)', stem)
            if m is None:
                skipped.append((osp.join(src, d, f), 'not *_SRF_s_HR/LR'))
                continue
            # The output name drops the _SRF_s_HR suffix so HR and LR share
            # a stem (PairedImageDataset pairs by stem).
            sides[m.group(2)][m.group(1)] = (osp.join(src, d, f),
                                             m.group(1) + ext)
        for key in sorted(set(sides['HR']) | set(sides['LR'])):
            if key not in sides['HR'] or key not in sides['LR']:
                lone = (sides['HR'].get(key) or sides['LR'][key])[0]
                skipped.append((lone, 'no partner'))
                continue
            for side in ('HR', 'LR'):
                path, name = sides[side][key]
                plan.append((path, osp.join(f'X{scale}', side, name)))
    return plan, skipped


def convert(layout, src, dst, preset=None, copy=False, dry_run=False):
    """Returns {dst sub-folder: file count, ..., 'skipped': n}."""
    if layout != 'restormer-style' and preset is not None:
        raise ValueError('--preset only applies to --layout restormer-style')
    if layout == 'restormer-style':
        plan, skipped = plan_restormer(src, preset)
    elif layout == 'prenet-rain100':
        plan, skipped = plan_prenet(src)
    elif layout == 'selfexsr-sr':
        plan, skipped = plan_selfexsr(src)
    else:
        raise ValueError(f'unknown layout {layout!r}; one of {LAYOUTS}')
    dups = [d for d, n in Counter(d for _, d in plan).items() if n > 1]
    if dups:
        raise ValueError(f'several sources map to {osp.join(dst, dups[0])}')
    # Checked before writing anything, so a refused run leaves no half layout.
    exist = [osp.join(dst, d) for _, d in plan
             if osp.lexists(osp.join(dst, d))]
    if exist:
        more = f' (and {len(exist) - 1} more)' if len(exist) > 1 else ''
        raise FileExistsError(f'refusing to overwrite {exist[0]}{more}')
    for path, dest in plan:
        if dry_run:
            continue
        dest = osp.join(dst, dest)
        os.makedirs(osp.dirname(dest), exist_ok=True)
        if copy:
            shutil.copy2(path, dest)
        else:
            os.symlink(osp.abspath(path), dest)
    counts = dict(sorted(Counter(osp.dirname(d) for _, d in plan).items()))
    verb = ('would copy' if copy else 'would link') if dry_run else (
        'copied' if copy else 'linked')
    print(f'{verb} {len(plan)} files into {dst}: ' +
          ', '.join(f'{k}/ {v}' for k, v in counts.items()))
    for path, why in skipped[:10]:
        print(f'  skipped {path} ({why})')
    if len(skipped) > 10:
        print(f'  ... and {len(skipped) - 10} more skipped')
    return {**counts, 'skipped': len(skipped)}


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('--layout', required=True, choices=LAYOUTS)
    p.add_argument('--preset', choices=sorted(PRESETS),
                   help='target preset for --layout restormer-style')
    p.add_argument('--src', required=True, help='folder in the source layout')
    p.add_argument('--dst', required=True, help='folder to create/fill')
    p.add_argument('--copy', action='store_true', help='copy, not symlink')
    p.add_argument('--dry-run', action='store_true', help='write nothing')
    args = p.parse_args(argv)
    return convert(args.layout, args.src, args.dst, args.preset, args.copy,
                   args.dry_run)


if __name__ == '__main__':
    try:
        main()
    except (FileExistsError, FileNotFoundError, ValueError) as err:
        sys.exit(f'error: {err}')
