import os
"""Experiments: fine-tuning probe (a), effort matching (b), grad alignment (h)."""
import copy, sys, time, json
import numpy as np, torch
REPO = os.path.abspath(__file__).rsplit('/docs/', 1)[0]  # the repository root
sys.path.insert(0, REPO)
torch.set_num_threads(1)
from tests.helpers import load_tool
tool = load_tool('tools/analysis_tools/derive_t_mat.py')
from mmdiffir.evaluation.t_mat_search import load_tmddp_model
CFG = REPO + '/configs/eedtp/eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu.py'
CK = REPO + '/work_dirs/tmddp_cpu/iter_1000.pth'
mode = sys.argv[1]
specs = sys.argv[2].split()
ts = [int(v) for v in sys.argv[3].split(',')]
K = int(sys.argv[4]) if len(sys.argv) > 4 else 50
seed = int(sys.argv[5]) if len(sys.argv) > 5 else 0
lr = float(sys.argv[6]) if len(sys.argv) > 6 else 1e-3
model = load_tmddp_model(CFG, CK)
sets = tool.synthesised_sets(REPO + '/data/denoise/Kodak24', specs, 12, 128)
def T(a): return torch.from_numpy(np.ascontiguousarray(a.transpose(2,0,1))).float()[None]
def psnr(p, g): return float(10*np.log10(1/((p-g)**2).mean()))
res = {}
for name, pairs in sets.items():
    tr, ho = pairs[:8], pairs[8:]
    Y = torch.cat([T(d) for d, g in tr]); X = torch.cat([T(g) for d, g in tr])
    Yh = torch.cat([T(d) for d, g in ho]); Xh = torch.cat([T(g) for d, g in ho])
    row = {}
    for t in ts:
        if mode == 'ft':
            m = copy.deepcopy(model); m.train()
            opt = torch.optim.Adam(m.parameters(), lr=lr, betas=(0.9, 0.99))
            rng = np.random.default_rng(seed)
            for it in range(K):
                idx = rng.integers(0, 8, 4); yy = rng.integers(0, 65, 4); xx = rng.integers(0, 65, 4)
                yb = torch.stack([Y[i, :, a:a+64, b:b+64] for i, a, b in zip(idx, yy, xx)])
                xb = torch.stack([X[i, :, a:a+64, b:b+64] for i, a, b in zip(idx, yy, xx)])
                loss = (m.restore(yb, t) - xb).abs().mean()
                opt.zero_grad(); loss.backward(); opt.step()
            m.eval()
            with torch.no_grad():
                row[t] = psnr(m.restore(Yh, t).clamp(0, 1), Xh)
        elif mode == 'grad':
            model.zero_grad()
            l = (model.restore(Y[:, :, 32:96, 32:96], t) - X[:, :, 32:96, 32:96]).abs().mean(); l.backward()
            g1 = torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None]).clone()
            model.zero_grad()
            torch.manual_seed(0)
            xt = X[:, :, 32:96, 32:96] + model.schedule.sigma_bars[t] * torch.randn(8, 3, 64, 64)
            l = (model.restore(xt, t) - X[:, :, 32:96, 32:96]).abs().mean(); l.backward()
            g2 = torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None]).clone()
            row[t] = (round(float(torch.nn.functional.cosine_similarity(g1, g2, 0)), 4), round(float(g1.norm()), 4))
        elif mode == 'effort':
            with torch.no_grad():
                ey = float((model.restore(Yh, t) - Yh).pow(2).mean().sqrt()) * 255
                ex = float((model.restore(Xh, t) - Xh).pow(2).mean().sqrt()) * 255
                row[t] = (round(ey, 3), round(ex, 3))
    res[name] = row
    if mode == 'ft':
        best = max(row, key=row.get)
        print(name, 'best t', best, {k: round(v, 3) for k, v in row.items()}, flush=True)
    else:
        print(name, {k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}, flush=True)
