"""Checkpoints for inference tests, made in a second: the config's model
built and saved as tools/train.py would (mmengine's ``state_dict`` layout),
with the zero-initialised time heads / adapter scales perturbed so that the
task conditioning really changes the output (a fresh EEDTP model ignores
t_mat, which would make task tests vacuous)."""
import os.path as osp

import torch
from mmengine.config import Config

from tests.helpers import REPO

MTUL_CPU = osp.join(REPO, 'configs/eedtp/'
                    'eedtp-mtul_nafnet-w16-tiny_1xb4-lr1e-3-1k_allinone6-cpu.py')
PLAIN_CPU = osp.join(REPO, 'configs/baselines/'
                     'plain_nafnet-w16-tiny_1xb4-lr1e-3-2k_denoise-cpu.py')
DIFFIR_S2_CPU = osp.join(REPO, 'configs/diffir/'
                         'diffir-s2_dirformer-tiny_1xb4-lr1e-3-1k_t91-levin-cpu.py')


def make_checkpoint(config, path, seed=0, model_cfg=None):
    """Build ``config``'s model (or ``model_cfg``), perturb its conditioning
    and save it to ``path`` as {'state_dict', 'meta'}; returns ``path``."""
    from mmdiffir.registry import MODELS
    cfg = Config.fromfile(config)
    torch.manual_seed(seed)
    model = MODELS.build(model_cfg or cfg.model)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.startswith(('conditioner.heads.', 'adapter.')):
                p.add_(torch.randn_like(p) * 0.05)
    torch.save(dict(state_dict=model.state_dict(), meta=dict(seed=seed)),
               str(path))
    return str(path)
