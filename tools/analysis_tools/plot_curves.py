"""Plot a work dir's training losses and validation PSNR as PNG files.

    python tools/analysis_tools/plot_curves.py WORK_DIR [--out DIR]
        [--loss-keys loss loss_gen] [--metric PSNR] [--smooth 1]

Reads every run folder's ``vis_data/scalars.json`` (mmengine's
LocalVisBackend: one JSON object per logging step; a resumed run is another
folder and continues the same curves) and writes ``losses.png`` and
``val_psnr.png`` (one line per benchmark, e.g. ``CBSD68/PSNR``) under
``--out`` (default ``WORK_DIR/plots``).

OpenMMLab's detection toolboxes have an ``analyze_logs.py`` for their own
json logs; mmengine/mmagic ship no plotting function for scalars.json, so
this small reader is written here.
"""
import argparse
import glob
import json
import os
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Optional, Tuple

Series = Dict[str, List[Tuple[int, float]]]


def find_scalar_files(work_dir: str) -> List[str]:
    """The scalars.json of every run under ``work_dir`` (oldest first), or
    ``work_dir`` itself when it is such a file."""
    if osp.isfile(work_dir):
        return [work_dir]
    if not osp.isdir(work_dir):
        raise FileNotFoundError(f'work dir not found: {work_dir}')
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    files += sorted(glob.glob(osp.join(work_dir, 'vis_data',
                                       'scalars.json')))
    if not files:
        raise FileNotFoundError(
            f'no */vis_data/scalars.json under {work_dir}: is it the work '
            'dir of tools/train.py (with the default LocalVisBackend)?')
    return files


def read_scalars(files: List[str]) -> Tuple[Series, Series]:
    """(training scalars, validation scalars): key -> sorted (step, value).
    Training lines carry ``iter``; validation lines do not, and their
    ``step`` is the epoch by default (LoggerHook's log_metric_by_epoch), 0
    for iteration-based training, so a validation line is placed at the
    iteration of the training line before it (validation runs right after
    that iteration). A later run's value at the same step replaces an
    earlier one (resume)."""
    train, val = defaultdict(dict), defaultdict(dict)
    for path in files:
        last_iter = None
        with open(path) as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as err:
                    raise ValueError(f'{path}:{n}: not JSON ({err})') from err
                if 'iter' in rec:
                    step = last_iter = rec['iter']
                    target = train
                else:
                    step = last_iter if last_iter is not None else \
                        rec.get('step')
                    target = val
                if step is None:
                    continue
                for k, v in rec.items():
                    if k in ('iter', 'step', 'epoch') or not isinstance(
                            v, (int, float)):
                        continue
                    target[k][int(step)] = float(v)
    as_list = (lambda d: {k: sorted(v.items()) for k, v in d.items()})
    return as_list(train), as_list(val)


def smooth(values: List[float], window: int) -> List[float]:
    """Trailing moving average over ``window`` points (1: unchanged)."""
    if window <= 1:
        return list(values)
    out, acc = [], []
    for v in values:
        acc.append(v)
        if len(acc) > window:
            acc.pop(0)
        out.append(sum(acc) / len(acc))
    return out


def plot(series: Series, keys: List[str], path: str, title: str,
         ylabel: str, window: int = 1) -> str:
    import matplotlib
    matplotlib.use('Agg')  # files only, no display needed
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4))
    for k in keys:
        steps, values = zip(*series[k])
        ax.plot(steps, smooth(list(values), window), label=k,
                marker='o' if len(steps) < 20 else None)
    ax.set_xlabel('iteration')
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_work_dir(work_dir: str, out_dir: Optional[str] = None,
                  loss_keys: Optional[List[str]] = None,
                  metric: str = 'PSNR', window: int = 1) -> Dict[str, str]:
    """Write losses.png (and val_psnr.png when the runs validated); returns
    {'losses': path, 'val': path}. Raises naming the missing keys."""
    train, val = read_scalars(find_scalar_files(work_dir))
    out_dir = out_dir or osp.join(work_dir if osp.isdir(work_dir) else
                                  osp.dirname(work_dir), 'plots')
    keys = loss_keys or sorted(k for k in train if k.startswith('loss'))
    missing = [k for k in keys if k not in train]
    if not keys or missing:
        raise KeyError(f'{work_dir}: no training scalar '
                       f'{missing or "loss*"}; found {sorted(train)}')
    written = dict(losses=plot(train, keys, osp.join(out_dir, 'losses.png'),
                               'training losses', 'loss', window))
    # e.g. 'CBSD68/PSNR', 'noise/PSNR', 'CBSD68/Y/PSNR'; not InputPSNR
    vkeys = sorted(k for k in val if k.split('/')[-1] == metric)
    if vkeys:
        written['val'] = plot(val, vkeys, osp.join(out_dir, 'val_psnr.png'),
                              f'validation {metric}', f'{metric} (dB)'
                              if metric.startswith('PSNR') else metric)
    return written


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('work_dir', help='work dir of tools/train.py (or one '
                   'scalars.json)')
    p.add_argument('--out', help='folder for the PNGs (WORK_DIR/plots)')
    p.add_argument('--loss-keys', nargs='+', help='training scalars to plot '
                   '(default: every loss*)')
    p.add_argument('--metric', default='PSNR', help='validation metric '
                   'name (last part of the key), e.g. PSNR or SSIM')
    p.add_argument('--smooth', type=int, default=1,
                   help='moving-average window for the losses')
    args = p.parse_args(argv)
    written = plot_work_dir(args.work_dir, args.out, args.loss_keys,
                            args.metric, args.smooth)
    for kind, path in written.items():
        print(f'{kind}: {path}')
    if 'val' not in written:
        print(f'no validation {args.metric} in the logs (no validation ran)')
    return written


if __name__ == '__main__':
    main()
