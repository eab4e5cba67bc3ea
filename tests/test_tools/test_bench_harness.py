"""The benchmark harness shrinks a config to N iterations with the config's
own stage proportions, and the MTUL benchmark takes its stage count from the
config (a 2-task toy gives 2 stages, not a hard-coded 6)."""
import os
import sys

from mmengine.config import Config

from tests.helpers import REPO

sys.path.insert(0, os.path.join(REPO, 'tools', 'analysis_tools'))
import bench_harness  # noqa: E402
import benchmark_mtul  # noqa: E402


def test_shrink_sets_iterations_schedule_and_hooks(tmp_path):
    cfg = bench_harness.shrink(benchmark_mtul.MTUL, str(tmp_path), 40,
                               keep_hooks=benchmark_mtul.TRAIN_HOOKS,
                               data_root='/elsewhere')
    assert cfg.train_cfg.max_iters == 40
    assert cfg.default_hooks.checkpoint.interval == 40
    assert cfg.val_cfg is None and cfg.val_dataloader is None
    # the config's [100] * 5 + [500] in proportion: 10 % each, 50 % last
    assert cfg.param_scheduler.periods == [4, 4, 4, 4, 4, 20]
    assert cfg.train_dataloader.sampler.stage_iters == [4, 4, 4, 4, 4, 20]
    assert [h.type for h in cfg.custom_hooks] == list(
        benchmark_mtul.TRAIN_HOOKS)
    roots = [t.dataset.data_root for t in cfg.train_dataloader.dataset.tasks]
    assert all(r.startswith('/elsewhere') for r in roots), roots
    plain = bench_harness.shrink(benchmark_mtul.PLAIN, str(tmp_path), 30)
    assert plain.param_scheduler.T_max == 30 and plain.custom_hooks == []


def test_scaled_stages_keep_the_total():
    assert bench_harness.scaled_stages([100] * 5 + [500], 1000) == \
        [100] * 5 + [500]
    assert sum(bench_harness.scaled_stages([3, 3, 7], 101)) == 101


def test_mtul_benchmark_stage_count_comes_from_the_config(tmp_path):
    toy = tmp_path / 'mtul_2task.py'  # the CPU MTUL config with 2 stages
    toy.write_text(
        f'_base_ = {os.path.join(REPO, benchmark_mtul.MTUL)!r}\n'
        'stage_iters = [300, 700]\n'
        'train_dataloader = dict(dataset=dict(tasks=_base_.train_dataloader'
        '.dataset.tasks[:2]), sampler=dict(stage_iters=stage_iters))\n'
        'param_scheduler = dict(periods=stage_iters, restart_weights=[1, 1])\n')
    assert benchmark_mtul.stage_count(str(toy)) == 2
    assert benchmark_mtul.stage_count() == 6
    cfg = benchmark_mtul._cfg(str(toy), str(tmp_path / 'w'), 100)
    assert cfg.param_scheduler.periods == [30, 70]
    assert cfg.train_dataloader.sampler.stage_iters == [30, 70]
