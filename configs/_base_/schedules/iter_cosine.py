# Iteration-based training with Adam and cosine decay (the IR default).
max_iters = 400_000
val_interval = 20_000

train_cfg = dict(type='FastResumeIterBasedTrainLoop', max_iters=max_iters,
                 val_interval=val_interval)
val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')

# fused=True: torch's one-kernel Adam (CPU and CUDA), the same update up to
# rounding, much faster than the per-tensor loop torch uses by default on a
# CPU (both timed in docs/benchmarks/eedtp_cost.md's profile); on GPUs
# torch's docs give fused as usually its fastest form (not measured here)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-3, betas=(0.9, 0.9), weight_decay=0.,
                   fused=True),
    clip_grad=None)

param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False,
                       T_max=max_iters, eta_min=1e-7)
