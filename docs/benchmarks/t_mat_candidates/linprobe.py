import os
"""Linear probe: refit NAFNet's ending conv in closed form on the t-features."""
import sys
import numpy as np, torch
REPO = os.path.abspath(__file__).rsplit('/docs/', 1)[0]  # the repository root
sys.path.insert(0, REPO)
torch.set_num_threads(1)
from tests.helpers import load_tool
tool = load_tool('tools/analysis_tools/derive_t_mat.py')
from mmdiffir.evaluation.t_mat_search import load_tmddp_model
CFG = REPO + '/configs/eedtp/eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu.py'
CK = sys.argv[4] if len(sys.argv) > 4 else REPO + '/work_dirs/tmddp_cpu/iter_1000.pth'
specs = sys.argv[1].split(); ts = [int(v) for v in sys.argv[2].split(',')]
lam = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-3
model = load_tmddp_model(CFG, CK)
feats = {}
h = model.generator.ending.register_forward_hook(lambda m, i, o: feats.__setitem__('f', i[0]))
sets = tool.synthesised_sets(REPO + '/data/denoise/Kodak24', specs, 12, 128)
def T(a): return torch.from_numpy(np.ascontiguousarray(a.transpose(2,0,1))).float()[None]
def design(Y, t):
    with torch.no_grad():
        out = model.restore(Y, t)
    F = torch.nn.functional.unfold(feats['f'], 3, padding=1)  # B, C*9, HW
    F = torch.cat([F, torch.ones_like(F[:, :1])], 1)
    return F.transpose(1, 2).reshape(-1, F.shape[1]).double(), out
for name, pairs in sets.items():
    tr, ho = pairs[:8], pairs[8:]
    Y = torch.cat([T(d) for d, g in tr]); X = torch.cat([T(g) for d, g in tr])
    Yh = torch.cat([T(d) for d, g in ho]); Xh = torch.cat([T(g) for d, g in ho])
    row = {}
    for t in ts:
        A, _ = design(Y, t)
        R = (X - Y).permute(0, 2, 3, 1).reshape(-1, 3).double()
        G = A.T @ A
        W = torch.linalg.solve(G + lam * torch.trace(G) / G.shape[0] * torch.eye(G.shape[0], dtype=G.dtype), A.T @ R)
        Ah, outh = design(Yh, t)
        pred = (Yh.permute(0, 2, 3, 1).reshape(-1, 3).double() + Ah @ W).clamp(0, 1)
        gt = Xh.permute(0, 2, 3, 1).reshape(-1, 3).double()
        p = float(10 * torch.log10(1 / ((pred - gt) ** 2).mean()))
        p0 = float(10 * torch.log10(1 / ((outh.clamp(0, 1) - Xh) ** 2).mean()))
        row[t] = (round(p, 3), round(p0, 2))
    best = max(row, key=lambda k: row[k][0])
    pin = float(10 * torch.log10(1 / ((Yh - Xh) ** 2).mean()))
    print(name, f'in {pin:.2f} best t {best}', row, flush=True)
