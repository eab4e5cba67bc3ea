"""The EEDTP configs' defaults are the reference's (issue 13): MTUL has the
diffusion terms at gen_prob 0.1 from the first stage and draws uniformly
over samples; the objective's L_orthog is the exact 1 - cos gradient."""
import glob

import pytest
from mmengine.config import Config

MTUL = sorted(glob.glob('configs/eedtp/eedtp-mtul_*.py'))
EEDTP = sorted(glob.glob('configs/eedtp/eedtp-*.py'))


@pytest.mark.parametrize('path', MTUL)
def test_mtul_gen_prob_from_the_first_stage_and_uniform_sampling(path):
    cfg = Config.fromfile(path)
    assert cfg.model.pixel_loss.gen_prob == 0.1
    [hook] = [h for h in cfg.custom_hooks
              if h['type'] == 'IncrementalScheduleHook']
    assert 'pixel_loss.gen_prob' not in (hook.get('ramps') or {})
    assert cfg.train_dataloader.sampler.sampling == 'uniform'


@pytest.mark.parametrize('path', EEDTP)
def test_eedtp_objective_defaults(path):
    loss = Config.fromfile(path).model.pixel_loss
    assert loss.fft_weight == 0.1
    assert loss.orthog_mode == 'double_backward' and loss.orthog_weight > 0
