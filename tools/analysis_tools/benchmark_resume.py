"""Seconds from starting a run to the end of its first training step: a
fresh start vs a resume at a large iteration (default 200,000), with the
configs' FastResumeIterBasedTrainLoop and, for comparison, mmengine's
replaying IterBasedTrainLoop timed on a short replay (its cost grows
linearly with the resumed iteration; the line says what was measured).

    python tools/analysis_tools/benchmark_resume.py \
        [--config CPU_CONFIG] [--data-root DIR] [--resume-iter 200000] \
        [--replay-iters 200]

The resumed checkpoint is the fresh run's first checkpoint with its
iteration counter set to ``--resume-iter`` (the weights do not matter for
the time to the first step; the data position does).
"""
import argparse
import os
import os.path as osp
import platform
import sys
import tempfile
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

DEFAULT_CONFIG = osp.join(
    REPO, 'configs/eedtp/'
    'eedtp-gef_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-denoise-cpu.py')


class _FirstStep:
    """A hook that records when the first training step of the run ends."""

    def __init__(self):
        from mmengine.hooks import Hook

        class FirstStepHook(Hook):
            priority = 'LOWEST'

            def __init__(hook):
                hook.at = None

            def after_train_iter(hook, runner, batch_idx, data_batch=None,
                                 outputs=None):
                if hook.at is None:
                    hook.at = time.perf_counter()
        self.hook = FirstStepHook()


def _cfg(args, work, max_iters, loop):
    from mmengine.config import Config
    cfg = Config.fromfile(args.config)
    cfg.work_dir = work
    cfg.load_from = None
    cfg.train_dataloader.dataset.data_root = args.data_root
    cfg.train_dataloader.num_workers = args.num_workers
    cfg.train_dataloader.persistent_workers = False
    cfg.train_cfg = dict(type=loop, max_iters=max_iters,
                         val_interval=10**9)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1,
                                        by_epoch=False, max_keep_ckpts=-1)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=10**9)
    cfg.custom_hooks = [h for h in cfg.get('custom_hooks', [])
                        if h['type'] == 'ImportanceEstimationHook']
    for h in cfg.custom_hooks:
        h['num_batches'] = 1
    cfg.log_level = 'WARNING'
    return cfg


def _time_to_first_step(cfg):
    from mmengine.runner import Runner
    first = _FirstStep().hook
    start = time.perf_counter()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(first)
    runner.train()
    return first.at - start


def _checkpoint_at(src, dst, iteration):
    import torch

    from mmdiffir.utils import safe_torch_load
    ckpt = safe_torch_load(src)
    ckpt['meta']['iter'] = iteration
    ckpt['message_hub']['runtime_info']['iter'] = iteration
    torch.save(ckpt, dst)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--data-root',
                        default=osp.join(REPO, '..', 'shared', 'data',
                                         'train'))
    parser.add_argument('--resume-iter', type=int, default=200_000)
    parser.add_argument('--replay-iters', type=int, default=200,
                        help='resume iteration at which mmengine\'s '
                        'replaying loop is timed (0: skip it)')
    parser.add_argument('--num-workers', type=int, default=0)
    args = parser.parse_args(argv)
    import torch

    from mmdiffir.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    torch.set_num_threads(max(1, torch.get_num_threads()))

    fast = 'FastResumeIterBasedTrainLoop'
    with tempfile.TemporaryDirectory() as tmp:
        fresh = _time_to_first_step(_cfg(args, osp.join(tmp, 'fresh'), 1,
                                         fast))
        rows = [('fresh start', 0, fast, fresh)]
        src = osp.join(tmp, 'fresh', 'iter_1.pth')
        for it, loop in [(args.resume_iter, fast),
                         (args.replay_iters, 'IterBasedTrainLoop')]:
            if it <= 0:
                continue
            work = osp.join(tmp, f'{loop}_{it}')
            os.makedirs(work)
            ckpt = osp.join(work, f'iter_{it}.pth')
            _checkpoint_at(src, ckpt, it)
            cfg = _cfg(args, work, it + 1, loop)
            cfg.resume, cfg.load_from = True, ckpt
            rows.append((f'resume at {it}', it, loop,
                         _time_to_first_step(cfg)))

    print(f'config: {osp.relpath(args.config, REPO)}')
    print(f'data: {args.data_root}  num_workers={args.num_workers}')
    print(f'hardware: {platform.processor() or platform.machine()}, '
          f'{os.cpu_count()} CPU cores visible, torch threads '
          f'{torch.get_num_threads()}, CUDA: {torch.cuda.is_available()}')
    print('| run | loop | seconds to the end of the first step |')
    print('|---|---|---|')
    for name, _, loop, sec in rows:
        print(f'| {name} | {loop} | {sec:.2f} |')
    replay = [r for r in rows if r[2] == 'IterBasedTrainLoop']
    quick = [r for r in rows if r[2] == fast and r[1] > 0]
    if replay and quick:
        _, it, _, sec = replay[0]
        per = max(sec - quick[0][3], 0) / it
        print(f'mmengine replay measured at iteration {it}: '
              f'{per * 1000:.1f} ms per replayed batch (its time minus the '
              f'fast resume\'s, over {it}); linear extrapolation to '
              f'{args.resume_iter}: {quick[0][3] + per * args.resume_iter:.0f}'
              ' s (an estimate, not measured)')


if __name__ == '__main__':
    main()
