# The demo's EEDTP arm, stage 2 (GEF): fine-tunes the demo TMDDP checkpoint
# on the plain demo's task (sigma-25 noise, same photos, batch, crops,
# optimizer) at t_mat 4 with the DiffusionAlignLoss (L1 + 0.1 FFT; with
# p = 0.1 also L_gen, L_orthog, L_reg, the layer-wise decay). 700
# iterations: with TMDDP's 300 the arm has the plain baseline's 1,000.
# Omega (L_reg's importance) is estimated on 10 batches before training.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_700.py',
    '../_base_/datasets/demo_skimage_noise25.py',
    '../_base_/models/eedtp_nafnet-tiny.py',
]

load_from = 'work_dirs/demo/eedtp-tmddp/iter_300.pth'
model = dict(stage='gef')
default_hooks = dict(logger=dict(interval=50))
custom_hooks = [dict(type='ImportanceEstimationHook', num_batches=10),
                *_base_.benchmark_hooks]
