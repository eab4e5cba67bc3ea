# EEDTP stage 1, TMDDP, on NAFNet-w48 (the reference's network): diffusion
# denoising pre-training on clean photos (../_base_/eedtp_tmddp_dfwb.py).
#   bash tools/dist_train.sh <this config> 8      (8 GPUs x batch 2 = 16)
_base_ = [
    '../_base_/eedtp_tmddp_dfwb.py',
    '../_base_/models/eedtp_nafnet-w48.py',
]
