# TMDDP pre-training schedule of the reference: 100k iterations with GEF's
# optimizer (eedtp_gef_500k.py: Adam(0.9, 0.99) at 5e-5, cosine decay to
# 1e-7), validated every 10k.
_base_ = './eedtp_gef_500k.py'

max_iters = 100_000
train_cfg = dict(max_iters=max_iters, val_interval=10_000)
param_scheduler = dict(T_max=max_iters)
