import os
import sys, json
import numpy as np, torch
REPO = os.path.abspath(__file__).rsplit('/docs/', 1)[0]  # the repository root
sys.path.insert(0, REPO)
torch.set_num_threads(1)
from tests.helpers import load_tool
tool = load_tool('tools/analysis_tools/derive_t_mat.py')
from mmdiffir.evaluation.t_mat_search import load_tmddp_model, derive_by_restoration
CFG = REPO + '/configs/eedtp/eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu.py'
CK = REPO + '/work_dirs/tmddp_cpu/iter_1000.pth'
model = load_tmddp_model(CFG, CK)
sets = tool.synthesised_sets(REPO + '/data/denoise/Kodak24', sys.argv[1].split(), int(sys.argv[2]), 128)
found = derive_by_restoration(model, sets)
out = {n: dict(curve=r['curve'].tolist(), psnr_in=r['psnr_in']) for n, r in found.items()}
json.dump(out, open(sys.argv[3], 'w'))
for n, r in out.items():
    c = np.array(r['curve']); ref = max(c.max(), r['psnr_in'])
    tol = {d: int(np.nonzero(c >= ref - d)[0].max() + 1) if (c >= ref - d).any() else 0 for d in (0.05, 0.1, 0.2, 0.5)}
    print(n, f"in {r['psnr_in']:.2f} best {c.max():.2f}@{c.argmax()+1}", 'tol', tol, flush=True)
