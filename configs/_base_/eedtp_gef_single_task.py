# What the four single-task GEF experiments (configs/eedtp/*_8xb2-*-500k_*.py)
# share: the reference's GEF schedule, NAFNet-w48 EEDTP model, the TMDDP
# checkpoint it fine-tunes, Omega estimated on 50 batches first (L_reg needs
# it: a GEF model refuses to train without ImportanceEstimationHook). A leaf
# adds its experiment's data (datasets/single_task_<set>.py) and t_mat.
_base_ = [
    './default_runtime.py',
    './schedules/eedtp_gef_500k.py',
    './models/eedtp_nafnet-w48.py',
]

load_from = ('work_dirs/eedtp-tmddp_nafnet-w48_8xb2-lr5e-5-100k_dfwb/'
             'iter_100000.pth')
model = dict(stage='gef')
custom_hooks = [dict(type='ImportanceEstimationHook', num_batches=50),
                *_base_.benchmark_hooks]
