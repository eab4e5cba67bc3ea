# CPU variant of TMDDP on a tiny SwinIR (embed 24, two RSTBs of depth 2), 1k
# iterations on ../shared/data/train (../_base_/eedtp_tmddp_cpu.py).
_base_ = [
    '../_base_/eedtp_tmddp_cpu.py',
    '../_base_/models/eedtp_swinir-tiny.py',
]
