"""Train -> checkpoint -> resume continues from the saved iteration with the
same optimizer and scheduler state and ends where an uninterrupted run ends."""
import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmdiffir.utils import safe_torch_load
from tests.helpers import tiny_train_cfg


class _Killed(Exception):
    pass


class _KillAfter(Hook):
    """Stops the run right after iteration ``n`` (its checkpoint written),
    the way a killed job leaves it. LOWEST: runs after CheckpointHook."""
    priority = 'LOWEST'

    def __init__(self, n):
        self.n = n

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 == self.n:
            raise _Killed


def _run_killed_at_2(work_dir):
    cfg = tiny_train_cfg(work_dir)
    runner = Runner.from_cfg(cfg)
    runner.register_hook(_KillAfter(2))
    with pytest.raises(_Killed):
        runner.train()


def _resume(work_dir, ckpt):
    cfg = tiny_train_cfg(work_dir)
    cfg.resume = True
    cfg.load_from = str(ckpt)
    return Runner.from_cfg(cfg)


def test_resume_equals_uninterrupted(tmp_path, registered):
    full = tmp_path / 'full'
    Runner.from_cfg(tiny_train_cfg(full)).train()

    part = tmp_path / 'part'
    _run_killed_at_2(part)
    assert not (part / 'iter_4.pth').exists()
    runner = _resume(part, part / 'iter_2.pth')
    runner.train()
    assert runner.iter == 4

    a = safe_torch_load(full / 'iter_4.pth', map_location='cpu')
    b = safe_torch_load(part / 'iter_4.pth', map_location='cpu')
    assert a['meta']['iter'] == b['meta']['iter'] == 4
    assert a['state_dict'].keys() == b['state_dict'].keys()
    for k in a['state_dict']:
        assert torch.equal(a['state_dict'][k], b['state_dict'][k]), k
    assert a['param_schedulers'] == b['param_schedulers']
    for idx, moments in a['optimizer']['state'].items():
        for k, v in moments.items():
            assert torch.equal(torch.as_tensor(v),
                               torch.as_tensor(b['optimizer']['state'][idx][k]))


def test_resume_restores_iteration_and_optimizer(tmp_path, registered):
    work = tmp_path / 'run'
    _run_killed_at_2(work)
    saved = safe_torch_load(work / 'iter_2.pth', map_location='cpu')
    assert saved['meta']['iter'] == 2

    runner = _resume(work, work / 'iter_2.pth')
    runner._train_loop = runner.build_train_loop(runner._train_loop)
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    runner.load_or_resume()
    assert runner.iter == 2
    state = runner.optim_wrapper.optimizer.state_dict()['state']
    assert state, 'resumed optimizer has no moments'
    for idx, moments in saved['optimizer']['state'].items():
        assert torch.equal(state[idx]['exp_avg'], moments['exp_avg'])
        assert torch.equal(state[idx]['exp_avg_sq'], moments['exp_avg_sq'])
