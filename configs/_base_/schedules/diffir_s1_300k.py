# DiffIR's stage-1 schedule (options/train_DiffIRS1.yml): 300k iterations,
# Adam 2e-4 (0.9, 0.99), cosine decay to 1e-6, validation every 20k.
_base_ = './iter_cosine.py'

max_iters = 300_000
train_cfg = dict(max_iters=max_iters, val_interval=20_000)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=2e-4, betas=(0.9, 0.99), weight_decay=0.))
param_scheduler = dict(T_max=max_iters, eta_min=1e-6)
