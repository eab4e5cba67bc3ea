# Runtime shared by every mmdiffir config.
default_scope = 'mmdiffir'
save_dir = './work_dirs'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=100),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        interval=5000,
        by_epoch=False,
        save_optimizer=True,
        max_keep_ckpts=5,
        save_best='auto',
        rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # reliability (mmdiffir/engine/hooks): stop at a NaN/inf loss before it
    # is saved; model-side random streams in checkpoints for exact resume;
    # refuse a checkpoint of another model instead of warning
    nonfinite_loss=dict(type='NonFiniteLossHook'),
    random_state=dict(type='RandomStateHook'),
    checkpoint_check=dict(type='CheckpointCompatibilityHook'),
    # DiffIR stage 2: the joint phase starts with a fresh optimizer state
    # after model.encoder_iter warm-up iterations (the released recipe);
    # nothing happens for models without a warm-up
    fresh_optimizer_after_warmup=dict(type='FreshOptimizerAfterWarmupHook'),
)

# BenchmarkTableHook prints one row per test set (and saves it after tests);
# BasicVisualizationHook saves input | output | GT grids
# (ConcatImageVisualizer).
# A config with hooks of its own adds them to these (custom_hooks is a list,
# replaced whole on inheritance), e.g.
#   custom_hooks = [dict(type='EMAHook', ...), *_base_.benchmark_hooks]
benchmark_hooks = [
    dict(type='BenchmarkTableHook'),
    dict(type='BasicVisualizationHook', interval=1, on_val=False),
]
custom_hooks = benchmark_hooks

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py switches nccl to gloo when no GPU is present.
    dist_cfg=dict(backend='nccl'),
)

log_level = 'INFO'
log_processor = dict(type='LogProcessor', window_size=100, by_epoch=False)

load_from = None
resume = False
randomness = dict(seed=0, diff_rank_seed=True)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='ConcatImageVisualizer',
    vis_backends=vis_backends,
    fn_key='gt_path',
    img_keys=['input', 'pred_img', 'gt_img'],
    bgr2rgb=True)
