# What every EEDTP MTUL recipe shares (METHODS.md §1.6); a recipe
# (eedtp_mtul_<setting>.py) adds its data, schedule, stage lengths and
# adapter sizes, a leaf the model (./models/eedtp_<backbone>.py) with
#   model = dict(_base_.mtul_model, adapter=dict(
#       _base_.task_adapter, name_patterns=_base_.adapter_levels))
# Each stage restarts Adam (IncrementalScheduleHook) and the cosine LR: one CosineRestartLR period per stage,
#   param_scheduler = dict(_base_.staged_cosine, periods=stage_iters,
#                          restart_weights=[1] * len(stage_iters))
_base_ = './default_runtime.py'

# multi-task: every sample carries its task's t_mat; a sample without one is
# an error, not the noise task's 4 (the single-task model's value)
mtul_model = dict(t_mat=None, stage='gef')
staged_cosine = dict(_delete_=True, type='CosineRestartLR', by_epoch=False,
                     eta_min=1e-7)
# after ImportanceEstimationHook (first: Omega of the TMDDP weights)
mtul_hooks = [dict(type='IncrementalScheduleHook'), *_base_.benchmark_hooks]
# MoE TaskAdapters after each decoder level, routed by pooled features and
# the sample's t_mat; experts of width C/4 as in the reference (the recipe
# sets their number and the t_mat embedding width)
task_adapter = dict(type='TaskAdapter', reduction=4)
