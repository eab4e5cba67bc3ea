# A CPU-sized run of 1k iterations (minutes on 2 cores), validated once, at
# its end (a checkpoint is also saved at the last iteration).
_base_ = './iter_cosine.py'

max_iters = 1000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = dict(T_max=max_iters)
