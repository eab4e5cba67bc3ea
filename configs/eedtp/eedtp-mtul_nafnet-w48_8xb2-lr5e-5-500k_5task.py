# EEDTP stage 3, MTUL (METHODS.md §1.6) at the reference size: NAFNet-w48
# from the TMDDP checkpoint, trained on the 5-task all-in-one setting
# (noise, Rain100L, RESIDE OTS, GoPro, LOL-v1) and tested on Rain100L, SOTS,
# CBSD68 sigma 25, GoPro and LOL (METHODS.md §4 has the published rows).
#   bash tools/dist_train.sh <this config> 8      (8 GPUs x batch 2 = 16)
# Tasks enter in ascending t_mat, one stage of 100k iterations per t_mat
# (noise 4, rain 8, low light 38, haze 47, blur 50); each stage restarts Adam
# and the cosine LR. As in the reference: the diffusion terms at gen_prob
# 0.1 from the first stage (a ramp over the stages is the option
# IncrementalScheduleHook(ramps={'pixel_loss.gen_prob': (0.0, 0.1)})), and
# samples drawn uniformly over the active tasks' samples, as from their
# shuffled concatenation (sampling='ratio' weighs tasks by ratio instead).
# MoE TaskAdapters (10 experts) after each decoder level, ~10% of the
# backbone's parameters.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/iter_cosine.py',
    '../_base_/datasets/all_in_one_5task.py',
    '../_base_/models/eedtp_nafnet-w48.py',
]

load_from = ('work_dirs/eedtp-tmddp_nafnet-w48_8xb16-lr5e-5-100k_dfwb/'
             'iter_100000.pth')
model = dict(
    # multi-task: every sample carries its task's t_mat; a sample without
    # one is an error, not the noise task's 4 (the base model's value)
    t_mat=None,
    stage='gef',
    adapter=dict(type='TaskAdapter', name_patterns=[r'decoders\.\d+'],
                 num_experts=10, reduction=4, embed_dim=64))

stage_iters = [100_000] * 5
max_iters = sum(stage_iters)
train_dataloader = dict(
    sampler=dict(stage_iters=stage_iters, sampling='uniform'))
train_cfg = dict(max_iters=max_iters, val_interval=50_000)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=5e-5, betas=(0.9, 0.99)))
param_scheduler = dict(
    _delete_=True, type='CosineRestartLR', by_epoch=False,
    periods=stage_iters, restart_weights=[1] * len(stage_iters),
    eta_min=1e-7)
custom_hooks = [
    dict(type='ImportanceEstimationHook', num_batches=50),
    dict(type='IncrementalScheduleHook'),
    dict(type='BenchmarkTableHook'),
    dict(type='BasicVisualizationHook', interval=1, on_val=False),
]
