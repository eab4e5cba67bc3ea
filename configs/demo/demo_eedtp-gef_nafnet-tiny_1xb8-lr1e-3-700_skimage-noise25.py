# The demo's EEDTP arm, stage 2 (GEF): fine-tunes the demo TMDDP checkpoint
# on the plain demo's task (sigma-25 noise, same photos, batch, crops,
# optimizer) at t_mat 4 with the DiffusionAlignLoss (L1 + 0.1 FFT; with
# p = 0.1 also L_gen, L_orthog, L_reg, the layer-wise decay). 700
# iterations: with TMDDP's 300 the arm has the plain baseline's 1,000.
# Omega (L_reg's importance) is estimated on 10 batches before training.
_base_ = './demo_eedtp-tmddp_nafnet-tiny_1xb8-lr1e-3-300_skimage.py'

load_from = 'work_dirs/demo/eedtp-tmddp/iter_300.pth'
model = dict(stage='gef')

max_iters = 700
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = dict(T_max=max_iters)
default_hooks = dict(checkpoint=dict(save_best='auto'))
custom_hooks = [
    dict(type='ImportanceEstimationHook', num_batches=10),
    dict(type='BenchmarkTableHook'),
    dict(type='BasicVisualizationHook', interval=1, on_val=False),
]
