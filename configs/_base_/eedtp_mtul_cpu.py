# CPU variant of EEDTP MTUL (METHODS.md §1.6) on the 6-task CPU stand-in
# (noise 4, rain 8, JPEG 12, low light 38, haze 47, blur 50), from a CPU
# TMDDP checkpoint. Tasks enter in ascending t_mat, one stage per t_mat (the
# sampler's stage_iters); each stage restarts Adam and the cosine LR. As in
# the reference: gen_prob 0.1 from the first stage (ramp: the option
# IncrementalScheduleHook(ramps={'pixel_loss.gen_prob': (0.0, 0.1)})) and
# samples drawn uniformly over the active tasks' samples (sampling='ratio'
# is the option). The last stage (all tasks) is the longest so that every
# task gets a fair share of a short CPU budget. A leaf adds the model as
# eedtp_mtul.py says.
_base_ = [
    './eedtp_mtul.py',
    './schedules/cpu_1k.py',
    './datasets/all_in_one_cpu.py',
]

stage_iters = [100, 100, 100, 100, 100, 500]
assert sum(stage_iters) == _base_.max_iters, \
    'eedtp_mtul_cpu.py: stage_iters must add up to the schedule max_iters'
train_dataloader = dict(
    sampler=dict(stage_iters=stage_iters, sampling='uniform'))
param_scheduler = dict(_base_.staged_cosine, periods=stage_iters,
                       restart_weights=[1] * len(stage_iters))
custom_hooks = [dict(type='ImportanceEstimationHook', num_batches=10),
                *_base_.mtul_hooks]
# 2 experts instead of 10 keep the adapters at ~10% of a tiny backbone, the
# reference's proportion (10 experts at width 48).
task_adapter = dict(num_experts=2, embed_dim=32)
