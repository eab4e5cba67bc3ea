"""Markdown table of test results saved by tools/test.py.

    python tools/analysis_tools/results_table.py work_dirs/RUN_A work_dirs/RUN_B

Reads the newest ``<run>/<timestamp>/benchmark_table.json`` of each run
(written by BenchmarkTableHook) and prints one row per run and benchmark.
"""
import argparse
import glob
import json
import os.path as osp


def newest_table(run_dir: str) -> dict:
    found = sorted(glob.glob(osp.join(run_dir, '*', 'benchmark_table.json')))
    if not found:
        raise FileNotFoundError(f'no */benchmark_table.json under {run_dir}: '
                                'run tools/test.py with --work-dir there')
    with open(found[-1]) as f:
        return json.load(f)


def markdown(runs, digits=2):
    tables = {run: newest_table(run) for run in runs}
    columns = []
    for table in tables.values():
        for cols in table.values():
            columns += [c for c in cols if c not in columns]
    lines = ['| run | benchmark | ' + ' | '.join(columns) + ' |',
             '|' + '---|' * (len(columns) + 2)]
    for run, table in tables.items():
        for bench, cols in table.items():
            vals = [f'{cols[c]:.{digits if "PSNR" in c else 4}f}'
                    if c in cols else '-' for c in columns]
            lines.append(f'| {osp.basename(osp.normpath(run))} | {bench} | ' +
                         ' | '.join(vals) + ' |')
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('runs', nargs='+', help='work dirs of tested runs')
    args = parser.parse_args(argv)
    print(markdown(args.runs))


if __name__ == '__main__':
    main()
