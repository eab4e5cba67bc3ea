# EEDTP stage 3, MTUL (METHODS.md §1.6) at the reference size: NAFNet-w48
# from the TMDDP checkpoint on the 5-task all-in-one setting
# (../_base_/eedtp_mtul_5task.py has the recipe), MoE TaskAdapters
# (10 experts) after each decoder level.
#   bash tools/dist_train.sh <this config> 8      (8 GPUs x batch 2 = 16)
_base_ = [
    '../_base_/eedtp_mtul_5task.py',
    '../_base_/models/eedtp_nafnet-w48.py',
]

load_from = ('work_dirs/eedtp-tmddp_nafnet-w48_8xb2-lr5e-5-100k_dfwb/'
             'iter_100000.pth')
model = dict(_base_.mtul_model, adapter=dict(
    _base_.task_adapter, name_patterns=_base_.adapter_levels))
