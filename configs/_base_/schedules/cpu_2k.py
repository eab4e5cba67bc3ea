# A CPU-sized run: minutes on 2 cores, validation every 1k (a checkpoint is
# also saved at the last iteration).
_base_ = './iter_cosine.py'

max_iters = 2000
train_cfg = dict(type='FastResumeIterBasedTrainLoop', max_iters=max_iters,
                 val_interval=1000)
param_scheduler = dict(T_max=max_iters)
