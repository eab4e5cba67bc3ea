"""`make demo`: the plain baseline and EEDTP (TMDDP -> GEF) on the embedded
photos with the same budget, both in one table."""
import os.path as osp
import re

from mmengine.config import Config

from tests.helpers import DEMO_CONFIG, REPO

DEMO = osp.join(REPO, 'configs', 'demo')
TMDDP = osp.join(DEMO,
                 'demo_eedtp-tmddp_nafnet-tiny_1xb8-lr1e-3-300_skimage.py')
GEF = osp.join(DEMO,
               'demo_eedtp-gef_nafnet-tiny_1xb8-lr1e-3-700_skimage-noise25.py')


def test_eedtp_arm_has_the_plain_arms_budget_and_data():
    plain, s1, s2 = (Config.fromfile(p) for p in (DEMO_CONFIG, TMDDP, GEF))
    assert (s1.model.type, s1.model.stage) == ('EEDTPRestorer', 'tmddp')
    assert (s2.model.type, s2.model.stage) == ('EEDTPRestorer', 'gef')
    assert s2.model.t_mat == 4  # the paper's table: noisy
    # same budget: as many iterations (batches) in all, same batch and crops
    assert s1.train_cfg.max_iters + s2.train_cfg.max_iters == \
        plain.train_cfg.max_iters
    for cfg in (s1, s2):
        assert cfg.train_dataloader == plain.train_dataloader
        assert cfg.optim_wrapper == plain.optim_wrapper
        assert cfg.test_dataloader == plain.test_dataloader
        assert cfg.test_evaluator == plain.test_evaluator
        gen = {k: cfg.model.generator[k] for k in plain.model.generator}
        assert gen == plain.model.generator  # the same tiny NAFNet
        assert cfg.param_scheduler.T_max == cfg.train_cfg.max_iters
    # GEF reads its Omega and starts from the TMDDP run of `make demo`
    assert any(h.type == 'ImportanceEstimationHook' for h in s2.custom_hooks)
    make = open(osp.join(REPO, 'Makefile')).read()
    tmddp_dir = re.search(r'train\.py \$\(DEMO_TMDDP\) --work-dir (\S+)',
                          make).group(1).replace('$(DEMO_DIR)',
                                                 'work_dirs/demo')
    assert s2.load_from == f'{tmddp_dir}/iter_{s1.train_cfg.max_iters}.pth'
    # one table with both arms
    assert 'results_table.py $(DEMO_DIR)/plain $(DEMO_DIR)/eedtp' in make
