# CPU variant of TMDDP on a tiny Restormer (dim 16, one block per level), 1k
# iterations on ../shared/data/train (../_base_/eedtp_tmddp_cpu.py).
_base_ = [
    '../_base_/eedtp_tmddp_cpu.py',
    '../_base_/models/eedtp_restormer-tiny.py',
]
