"""IncrementalScheduleHook with the real Runner and the MTUL CPU config on
real photos: stages start at their configured iterations (tasks, fresh Adam
state, LR restart, ramped gen_prob), and a run resumed in the middle of a
stage or exactly at a stage boundary continues the same schedule and ends
with the uninterrupted run's weights."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from mmdiffir.utils import safe_torch_load
from tests.helpers import REPO

MTUL = osp.join(REPO, 'configs/eedtp/'
                'eedtp-mtul_nafnet-w16-tiny_1xb4-lr1e-3-1k_allinone6-cpu.py')
TASKS = ('noise', 'rain', 'haze')  # t_mat 4, 8, 47: three stages


class _Probe(Hook):
    """Records, per iteration, the tasks of the batch, the first Adam
    step count after the update, the LR and gen_prob."""
    priority = 'LOWEST'

    def __init__(self):
        self.log, self._lr = {}, None

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        # the LR this iteration trains with (the scheduler steps after it)
        self._lr = runner.optim_wrapper.get_lr()['lr'][0]

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        state = runner.optim_wrapper.optimizer.state
        steps = {int(s['step']) for s in state.values()}
        self.log[runner.iter] = dict(
            tasks=sorted({s.metainfo['task']
                          for s in data_batch['data_samples']}),
            adam_steps=steps,
            lr=self._lr,
            gen_prob=model.pixel_loss.gen_prob)


def _cfg(work_dir, train_root, gen_prob_ramp=(0.0, 0.1)):
    cfg = Config.fromfile(MTUL)
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'test_{osp.basename(str(work_dir))}'
    cfg.load_from = None
    loader = cfg.train_dataloader
    loader.batch_size = loader.sampler.batch_size = 2
    loader.num_workers = 0
    tasks = [t for t in loader.dataset.tasks if t.name in TASKS]
    for t in tasks:
        t.dataset.data_root = str(train_root)
        for step in t.dataset.pipeline:
            if step.type == 'Crop':
                step.crop_size = (32, 32)
    loader.dataset.tasks = tasks
    loader.sampler.stage_iters = [2, 2, 2]
    cfg.param_scheduler.periods = [2, 2, 2]
    cfg.param_scheduler.restart_weights = [1, 1, 1]
    cfg.train_cfg = dict(type='FastResumeIterBasedTrainLoop', max_iters=6,
                         val_interval=100)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    # no test loaders: a smaller config is much faster for mmengine to
    # pretty-print into each of the six checkpoints
    cfg.test_cfg = cfg.test_dataloader = cfg.test_evaluator = None
    cfg.degradations = None  # (also pretty-printed otherwise)
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=1, by_epoch=False,
        save_optimizer=True, max_keep_ckpts=-1)
    cfg.custom_hooks = [
        dict(type='ImportanceEstimationHook', num_batches=1),
        dict(type='IncrementalScheduleHook',
             ramps={'pixel_loss.gen_prob': gen_prob_ramp}),
    ]
    cfg.randomness = dict(seed=7, deterministic=True)
    return cfg


def _train(cfg, resume_from=None):
    if resume_from is not None:
        cfg.resume, cfg.load_from = True, str(resume_from)
    runner = Runner.from_cfg(cfg)
    probe = _Probe()
    runner.register_hook(probe)
    runner.train()
    return probe.log


def _weights(path):
    return safe_torch_load(path, map_location='cpu')['state_dict']


def test_stages_start_at_their_iterations_and_resume_continues(
        tmp_path, train_root, registered):
    # gen_prob 0 -> 0.5 -> 1: diffusion iterations (keyed draws) and the
    # importance estimate are part of what the resumed runs must reproduce
    full = _train(_cfg(tmp_path / 'full', train_root, (0.0, 1.0)))
    assert [full[i]['tasks'] for i in (0, 1)] == [['noise']] * 2
    assert set(full[2]['tasks'] + full[3]['tasks']) <= {'noise', 'rain'}
    assert 'rain' in full[2]['tasks'] + full[3]['tasks']
    assert 'haze' in full[4]['tasks'] + full[5]['tasks']
    # a fresh Adam state at each stage start: 1 step after the boundary
    assert [full[i]['adam_steps'] for i in range(6)] == \
        [{1}, {2}, {1}, {2}, {1}, {2}]
    # the cosine LR restarts with each stage
    assert full[0]['lr'] == full[2]['lr'] == full[4]['lr']
    assert full[1]['lr'] < full[0]['lr']
    meta = safe_torch_load(tmp_path / 'full' / 'iter_4.pth')['meta']
    assert meta['incremental_schedule'] == dict(
        stage=2, stage_iters=[2, 2, 2],
        tasks=[['noise'], ['rain'], ['haze']])

    final = _weights(tmp_path / 'full' / 'iter_6.pth')
    # iter_3: resume in the middle of stage 1; iter_4: exactly at the
    # boundary of stage 2 (its first iteration comes next)
    for start in (3, 4):
        work = tmp_path / f'resume{start}'
        log = _train(_cfg(work, train_root, (0.0, 1.0)),
                     resume_from=tmp_path / 'full' / f'iter_{start}.pth')
        assert sorted(log) == list(range(start, 6))
        for i in log:
            assert log[i] == full[i], (start, i)
        resumed = _weights(work / 'iter_6.pth')
        assert resumed.keys() == final.keys()
        for k in final:
            assert torch.equal(resumed[k], final[k]), (start, k)


def test_ramp_and_plan_checks(tmp_path, train_root, registered):
    log = _train(_cfg(tmp_path / 'ramp', train_root, (0.0, 0.1)))
    assert [log[i]['gen_prob'] for i in (0, 2, 4)] == \
        pytest.approx([0.0, 0.05, 0.1])

    # resuming with another plan is refused, naming both plans
    cfg = _cfg(tmp_path / 'other', train_root)
    cfg.train_dataloader.sampler.stage_iters = [1, 3, 2]
    cfg.param_scheduler.periods = [1, 3, 2]
    with pytest.raises(ValueError, match='schedule'):
        _train(cfg, resume_from=tmp_path / 'ramp' / 'iter_3.pth')

    # an LR schedule that does not restart per stage is refused
    cfg = _cfg(tmp_path / 'lr', train_root)
    cfg.param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False,
                               T_max=6)
    with pytest.raises(ValueError, match='CosineRestartLR'):
        _train(cfg)

    cfg = _cfg(tmp_path / 'bs', train_root)
    cfg.train_dataloader.sampler.batch_size = 3
    with pytest.raises(ValueError, match='batch_size'):
        _train(cfg)
