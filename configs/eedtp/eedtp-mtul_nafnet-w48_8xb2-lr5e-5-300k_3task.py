# EEDTP MTUL at the reference size on the 3-task setting (BSD400+WED noise
# sigma 15/25/50, Rain100L, RESIDE OTS) tested on SOTS, Rain100L and CBSD68
# sigma 15/25/50 (the AirNet / PromptIR protocol; METHODS.md §4). Three
# stages: noise (t 4), rain (8), haze (47).
_base_ = './eedtp-mtul_nafnet-w48_8xb2-lr5e-5-500k_5task.py'

test_dataloader = {{_base_.test_3task}}
test_evaluator = {{_base_.metrics_3task}}
val_dataloader, val_evaluator = test_dataloader, test_evaluator

stage_iters = [100_000] * 3
max_iters = sum(stage_iters)
train_dataloader = dict(
    dataset=dict(tasks={{_base_.train_3task.dataset.tasks}}),
    sampler=dict(stage_iters=stage_iters))
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(periods=stage_iters,
                       restart_weights=[1] * len(stage_iters))
