"""The one-GPU benchmark script runs on CPU with --tiny (every row, the
mixed-precision training path and the inference ratios) and prints its
table. (Its GPU numbers are measured only on a GPU.)"""
import os.path as osp
import re
import subprocess
import sys

from tests.helpers import REPO


def test_benchmark_gpu_tiny_prints_one_table():
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools/analysis_tools/benchmark_gpu.py'),
         '--tiny', '--dtypes', 'bf16'],
        cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith('|')]
    header, rows = lines[0], lines[2:]
    assert 'train img/s fp32 / bf16 / fp16' in header
    names = [r.split('|')[1].strip() for r in rows]
    assert [re.sub(r' \([\d/]+ of \d+ steps diffusion\)$', '', n)
            for n in names] == [
        'NAFNet-w48 plain', 'EEDTP GEF NAFNet-w48, gen_prob 0.1',
        'EEDTP GEF NAFNet-w48, diffusion iteration',
        'DiffIR S2 deblur (DIRformer-48)', 'DiffUIR-L']
    for r in rows:  # bf16 measured, the others not asked for
        fp32, bf16, fp16 = [c.strip() for c in r.split('|')[3].split('/')]
        assert fp32 == fp16 == '-' and float(bf16) > 0
    assert names[2].endswith('(2 of 2 steps diffusion)')  # gen_prob 1
    assert 'EEDTP/plain' in proc.stdout and '3-step/one-pass' in proc.stdout
    assert 'TINY smoke run' in proc.stdout
