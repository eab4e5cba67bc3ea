"""No silent L_reg: GEF with reg_weight > 0 and no estimated Omega stops
with an error naming ImportanceEstimationHook; an anchor loaded from a
model with other trainable parameters is estimated again."""
import types

import pytest
import torch
from mmagic.structures import DataSample
from mmengine.dataset import pseudo_collate
from mmengine.optim import OptimWrapper
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from mmdiffir.engine.hooks import ImportanceEstimationHook
from mmdiffir.registry import MODELS
from tests.helpers import REPO, tiny_train_cfg
from tests.test_models.eedtp_fixtures import photo_batch, tiny_restorer

GEF = (f'{REPO}/configs/eedtp/'
       'eedtp-gef_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-denoise-cpu.py')


def _items(real_photos):
    noisy, samples = photo_batch(real_photos)
    return [dict(inputs=x * 255, data_samples=DataSample(gt_img=s.gt_img * 255))
            for x, s in zip(noisy, samples.split())]


def test_gef_without_importance_hook_stops_naming_it(tmp_path, registered,
                                                     train_root):
    cfg = tiny_train_cfg(tmp_path / 'gef', base=GEF, max_iters=2)
    cfg.train_dataloader.dataset.data_root = str(train_root)
    cfg.load_from = None
    cfg.custom_hooks = []  # the hook is missing, reg_weight stays 0.2
    assert cfg.model.pixel_loss.reg_weight > 0
    runner = Runner.from_cfg(cfg)
    with pytest.raises(RuntimeError, match='ImportanceEstimationHook'):
        runner.train()


def test_train_step_refuses_an_unestimated_anchor(registered, real_photos):
    model = tiny_restorer(gen_prob=0.1, reg_weight=0.2)
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.0))
    batch = pseudo_collate(_items(real_photos))
    with pytest.raises(RuntimeError, match='ImportanceEstimationHook'):
        model.train_step(batch, optim)
    # with reg_weight 0 no anchor is needed
    tiny_restorer(gen_prob=0.1, reg_weight=0.0).train_step(batch, optim)


def test_anchor_of_other_parameters_is_estimated_again(registered,
                                                       real_photos):
    items = _items(real_photos)
    gef = tiny_restorer()
    gef.estimate_importance([pseudo_collate(items)])
    assert gef.anchor.matches()
    # an MTUL model: the same backbone plus adapters (more trainable params)
    cfg = dict(type='EEDTPRestorer', generator=dict(
        type='NAFNet', img_channels=3, mid_channels=8, enc_blk_nums=[1, 1],
        middle_blk_num=1, dec_blk_nums=[1, 1]),
        conditioner=dict(type='TimeConditioner', embed_dim=16,
                         block_types=['NAFBlock']),
        adapter=dict(type='TaskAdapter', name_patterns=[r'decoders\.\d+'],
                     num_experts=2, reduction=2, embed_dim=16),
        t_mat=20, stage='gef',
        data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.],
                               std=[255., 255., 255.]))
    mtul = MODELS.build(cfg)
    own = mtul.state_dict()
    fitting = {k: v for k, v in gef.state_dict().items()
               if k in own and own[k].shape == v.shape}  # a non-strict load
    mtul.load_state_dict(fitting, strict=False)
    assert bool(mtul.anchor.ready) and not mtul.anchor.matches()
    with pytest.raises(RuntimeError, match='other trainable parameters'):
        mtul.check_anchor()
    runner = types.SimpleNamespace(model=mtul, train_dataloader=DataLoader(
        items, batch_size=2, collate_fn=pseudo_collate))
    ImportanceEstimationHook(num_batches=1).before_train(runner)
    assert mtul.anchor.matches()
    mtul.check_anchor()
    params = mtul.trainable_params()
    assert all(torch.equal(t, p.detach())
               for t, p in zip(mtul.anchor.theta0, params))
    names = mtul._param_names
    adapter_omega = [w for n, w in zip(names, mtul.anchor.omega)
                     if n.startswith('adapter.')]
    assert adapter_omega and any(w.abs().sum() > 0 for w in adapter_omega)
