# A CPU-sized run of 1.5k iterations, validated once, at its end.
_base_ = './iter_cosine.py'

max_iters = 1500
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = dict(T_max=max_iters)
