# EEDTP MTUL at the reference size on the 10-task DA-CLIP set (blurry,
# hazy, JPEG, low-light, noisy, raindrop, rainy, shadowed, snowy,
# inpainting; data/universal/{train,val}/<degradation>/{LQ,GT}): ten stages of
# 100k iterations, one per t_mat, as in the reference.
_base_ = './eedtp-mtul_nafnet-w48_8xb2-lr5e-5-500k_5task.py'

test_dataloader = {{_base_.test_10task}}
test_evaluator = {{_base_.metrics_10task}}
val_dataloader, val_evaluator = test_dataloader, test_evaluator

stage_iters = [100_000] * 10
max_iters = sum(stage_iters)
train_dataloader = dict(
    dataset=dict(tasks={{_base_.train_10task.dataset.tasks}}),
    sampler=dict(stage_iters=stage_iters))
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(periods=stage_iters,
                       restart_weights=[1] * len(stage_iters))
