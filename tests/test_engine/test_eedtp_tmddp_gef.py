"""TMDDP -> GEF on CPU end to end with the real configs: pre-train, load the
checkpoint, estimate Omega, fine-tune, and resume with Omega restored."""
import os.path as osp

import torch
from mmengine.runner import Runner

from mmdiffir.utils import safe_torch_load
from tests.helpers import REPO, tiny_train_cfg

TMDDP = osp.join(REPO, 'configs/eedtp/'
                 'eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu.py')
GEF = osp.join(REPO, 'configs/eedtp/'
               'eedtp-gef_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-denoise-cpu.py')


def _cfg(base, work, train_root, **kw):
    cfg = tiny_train_cfg(work, base=base, **kw)
    cfg.train_dataloader.dataset.data_root = str(train_root)
    return cfg


def test_tmddp_then_gef_then_resume(tmp_path, registered, train_root):
    root = train_root
    pre = tmp_path / 'tmddp'
    Runner.from_cfg(_cfg(TMDDP, pre, root, max_iters=2)).train()
    stage1 = safe_torch_load(pre / 'iter_2.pth')['state_dict']
    assert not any(k.startswith('anchor.') and k not in (
        'anchor.ready', 'anchor.signature') and stage1[k].abs().sum() > 0
        for k in stage1)
    assert not bool(stage1['anchor.ready'])

    gef = tmp_path / 'gef'
    cfg = _cfg(GEF, gef, root, max_iters=4)
    cfg.load_from = str(pre / 'iter_2.pth')
    cfg.model.pixel_loss.gen_prob = 1.0
    cfg.custom_hooks = [dict(type='ImportanceEstimationHook', num_batches=2)]
    runner = Runner.from_cfg(cfg)
    runner.train()
    ckpt = safe_torch_load(gef / 'iter_4.pth')['state_dict']
    assert bool(ckpt['anchor.ready'])
    # theta0 is the TMDDP weights the fine-tuning started from
    assert torch.equal(ckpt['anchor.theta0_0'],
                       stage1['generator.intro.weight'])
    assert not torch.equal(ckpt['generator.intro.weight'],
                           stage1['generator.intro.weight'])
    omega = torch.cat([v.reshape(-1) for k, v in ckpt.items()
                       if k.startswith('anchor.omega_')])
    assert omega.abs().sum() > 0

    # resume: Omega comes back from the checkpoint, not re-estimated
    cfg = _cfg(GEF, gef, root, max_iters=5)
    cfg.resume, cfg.load_from = True, str(gef / 'iter_4.pth')
    cfg.model.pixel_loss.gen_prob = 1.0
    cfg.custom_hooks = [dict(type='ImportanceEstimationHook', num_batches=2)]
    runner = Runner.from_cfg(cfg)
    runner.train()
    resumed = safe_torch_load(gef / 'iter_5.pth')['state_dict']
    for k in ckpt:
        if k.startswith('anchor.'):
            assert torch.equal(ckpt[k], resumed[k]), k
