# A CPU-sized run of 700 iterations (the demo's GEF stage: with TMDDP's 300
# the EEDTP arm has the plain arm's 1k), validated once, at its end.
_base_ = './iter_cosine.py'

max_iters = 700
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = dict(T_max=max_iters)
