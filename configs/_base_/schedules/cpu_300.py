# A CPU-sized pre-training run of 300 iterations (the demo's TMDDP stage).
# Pre-training has no restoration to validate: the val loop never runs.
_base_ = './iter_cosine.py'

max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
param_scheduler = dict(T_max=max_iters)
