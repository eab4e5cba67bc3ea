# EEDTP stage 1 (TMDDP) on SwinIR at its published colour-denoising size;
# the method and schedule are the NAFNet config's
# (../_base_/eedtp_tmddp_dfwb.py).
#   bash tools/dist_train.sh <this config> 8      (8 GPUs x batch 2 = 16)
_base_ = [
    '../_base_/eedtp_tmddp_dfwb.py',
    '../_base_/models/eedtp_swinir-m.py',
]
