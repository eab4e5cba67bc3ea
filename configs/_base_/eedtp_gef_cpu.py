# CPU variant of GEF (eedtp_gef_dfwb.py) from a CPU TMDDP checkpoint
# (eedtp_tmddp_cpu.py): the same data and length, Omega estimated on 10
# batches first. A leaf adds the model, stage='gef' and the checkpoint.
_base_ = './eedtp_tmddp_cpu.py'

custom_hooks = [dict(type='ImportanceEstimationHook', num_batches=10),
                *_base_.benchmark_hooks]
