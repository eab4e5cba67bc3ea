# EEDTP stage 3, MTUL (METHODS.md §1.6), at the reference's scale on the
# 5-task all-in-one setting (noise, Rain100L, RESIDE OTS, GoPro, LOL-v1),
# tested on Rain100L, SOTS, CBSD68 sigma 25, GoPro and LOL (METHODS.md §4
# has the published rows), batch 2 per GPU (8 GPUs x 2 = 16).
# Tasks enter in ascending t_mat, one stage of 100k iterations per t_mat
# (noise 4, rain 8, low light 38, haze 47, blur 50); each stage restarts Adam
# (GEF's: eedtp_gef_500k.py) and the cosine LR. As in the reference: the
# diffusion terms at gen_prob 0.1 from the first stage (a ramp over the
# stages is the option IncrementalScheduleHook(ramps={'pixel_loss.gen_prob':
# (0.0, 0.1)})), and samples drawn uniformly over the active tasks'
# samples, as from their shuffled concatenation (sampling='ratio' weighs
# tasks by ratio instead).
# A leaf adds the model as eedtp_mtul.py says.
_base_ = [
    './eedtp_mtul.py',
    './schedules/eedtp_gef_500k.py',
    './datasets/all_in_one_5task.py',
]

stage_iters = [100_000] * 5
assert sum(stage_iters) == _base_.max_iters, \
    'eedtp_mtul_5task.py: stage_iters must add up to the schedule max_iters'
train_dataloader = dict(
    sampler=dict(stage_iters=stage_iters, sampling='uniform'))
train_cfg = dict(val_interval=50_000)
param_scheduler = dict(_base_.staged_cosine, periods=stage_iters,
                       restart_weights=[1] * len(stage_iters))
custom_hooks = [dict(type='ImportanceEstimationHook', num_batches=50),
                *_base_.mtul_hooks]
# MoE TaskAdapters (10 experts of width C/4) after each decoder level, ~10%
# of the backbone's parameters.
task_adapter = dict(num_experts=10, embed_dim=64)
