# GEF fine-tuning schedule of the reference: 500k iterations, Adam(0.9, 0.99)
# at 5e-5 with cosine decay to 1e-7 (METHODS.md §1.5). The plain baselines of
# the same experiments use it too, so that the two arms differ only in EEDTP.
_base_ = './iter_cosine.py'

max_iters = 500_000
train_cfg = dict(max_iters=max_iters, val_interval=20_000)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=5e-5, betas=(0.9, 0.99)))
param_scheduler = dict(T_max=max_iters, eta_min=1e-7)
