# CPU variant of TMDDP on the tiny NAFNet (width 16), 1k
# iterations on ../shared/data/train (../_base_/eedtp_tmddp_cpu.py).
_base_ = [
    '../_base_/eedtp_tmddp_cpu.py',
    '../_base_/models/eedtp_nafnet-tiny.py',
]
