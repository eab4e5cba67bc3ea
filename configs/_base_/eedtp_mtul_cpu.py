# CPU variant of EEDTP MTUL (METHODS.md §1.6) on the 6-task CPU stand-in
# (noise 4, rain 8, JPEG 12, low light 38, haze 47, blur 50), from a CPU
# TMDDP checkpoint. Tasks enter in ascending t_mat, one stage per t_mat (the
# sampler's stage_iters); each stage restarts Adam and the cosine LR. As in
# the reference: gen_prob 0.1 from the first stage (ramp: the option
# IncrementalScheduleHook(ramps={'pixel_loss.gen_prob': (0.0, 0.1)})) and
# samples drawn uniformly over the active tasks' samples (sampling='ratio'
# is the option). The last stage (all tasks) is the longest so that every
# task gets a fair share of a short CPU budget.
# A leaf adds the model (./models/eedtp_<backbone>-tiny.py) with
#   model = dict(t_mat=None, stage='gef', adapter=dict(
#       _base_.task_adapter, name_patterns=_base_.adapter_levels))
_base_ = [
    './default_runtime.py',
    './schedules/cpu_1k.py',
    './datasets/all_in_one_cpu.py',
]

stage_iters = [100, 100, 100, 100, 100, 500]
assert sum(stage_iters) == _base_.max_iters, \
    'eedtp_mtul_cpu.py: stage_iters must add up to the schedule max_iters'
train_dataloader = dict(
    sampler=dict(stage_iters=stage_iters, sampling='uniform'))
param_scheduler = dict(
    _delete_=True, type='CosineRestartLR', by_epoch=False,
    periods=stage_iters, restart_weights=[1] * len(stage_iters),
    eta_min=1e-7)
custom_hooks = [
    dict(type='ImportanceEstimationHook', num_batches=10),
    dict(type='IncrementalScheduleHook'),
    *_base_.benchmark_hooks,
]
# MoE adapters after each decoder level, routed by pooled features and the
# sample's t_mat. Experts of width C/4 as in the reference; 2 of them
# instead of 10 keep the adapters at ~10% of a tiny backbone, the
# reference's proportion (10 experts at width 48).
task_adapter = dict(type='TaskAdapter', num_experts=2, reduction=4,
                    embed_dim=32)
