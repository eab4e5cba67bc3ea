# CPU variant of GEF on a tiny SwinIR (embed 24, two RSTBs of depth 2), from
# its CPU TMDDP checkpoint (../_base_/eedtp_gef_cpu.py). Run the TMDDP
# config first:
#   python tools/train.py configs/eedtp/eedtp-tmddp_swinir-tiny_1xb4-lr1e-3-1k_t91-cpu.py
_base_ = [
    '../_base_/eedtp_gef_cpu.py',
    '../_base_/models/eedtp_swinir-tiny.py',
]

load_from = ('work_dirs/eedtp-tmddp_swinir-tiny_1xb4-lr1e-3-1k_t91-cpu/'
             'iter_1000.pth')
model = dict(stage='gef')
