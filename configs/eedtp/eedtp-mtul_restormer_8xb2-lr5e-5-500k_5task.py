# EEDTP MTUL on mmagic's Restormer (the published size) on the 5-task
# setting: the NAFNet-w48 MTUL recipe (../_base_/eedtp_mtul_5task.py) with
# another backbone, by config only. The norms inside every TransformerBlock
# are time-modulated; the TaskAdapters follow the three decoder levels.
_base_ = [
    '../_base_/eedtp_mtul_5task.py',
    '../_base_/models/eedtp_restormer.py',
]

load_from = ('work_dirs/eedtp-tmddp_restormer_8xb2-lr5e-5-100k_dfwb/'
             'iter_100000.pth')
model = dict(_base_.mtul_model, adapter=dict(
    _base_.task_adapter, name_patterns=_base_.adapter_levels))
