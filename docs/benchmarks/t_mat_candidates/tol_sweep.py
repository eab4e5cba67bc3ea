"""Mode tolerance's t_mat at several --tol-db values, on the restoration
curves saved by tol.py (curves_kodak24_6pairs.json): how much the derived
values depend on the 0.1 dB default.

    python docs/benchmarks/t_mat_candidates/tol_sweep.py
"""
import json
import os
import sys

REPO = os.path.abspath(__file__).rsplit('/docs/', 1)[0]  # the repository root
sys.path.insert(0, REPO)
from mmdiffir.evaluation.t_mat_search import tolerance_step  # noqa: E402

TOLS = (0.02, 0.05, 0.1, 0.2, 0.5)
KNEE = 28  # knee_step of the default T = 50 schedule
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       'curves_kodak24_6pairs.json')) as f:
    curves = json.load(f)
steps = list(range(1, 51))
print('set', *(f'tol {t} dB' for t in TOLS), sep=' | ')
for name, r in curves.items():
    found = [tolerance_step(r['curve'], steps, r['psnr_in'], KNEE, t)
             for t in TOLS]
    print(name, *(f'{t}{"" if ok else " (floor)"}' for t, ok in found),
          sep=' | ')
