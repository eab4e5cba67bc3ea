# CPU variant of EEDTP MTUL (METHODS.md §1.6) on the tiny NAFNet and the
# 6-task CPU stand-in (../_base_/eedtp_mtul_cpu.py), from the CPU TMDDP
# checkpoint. Run that config first:
#   python tools/train.py configs/eedtp/eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu.py
#   python tools/train.py <this config>
_base_ = [
    '../_base_/eedtp_mtul_cpu.py',
    '../_base_/models/eedtp_nafnet-tiny.py',
]

load_from = ('work_dirs/eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu/'
             'iter_1000.pth')
model = dict(_base_.mtul_model, adapter=dict(
    _base_.task_adapter, name_patterns=_base_.adapter_levels))
