# EEDTP stage 2, GEF: single-task fine-tuning (blind denoising, sigma in
# [0, 25], t_mat 4) of NAFNet-w48 from its TMDDP checkpoint with the
# DiffusionAlignLoss (L1 + 0.1 FFT; with p=0.1 also L_gen, L_orthog, L_reg
# and the layer-wise decay); see ../_base_/eedtp_gef_dfwb.py.
_base_ = [
    '../_base_/eedtp_gef_dfwb.py',
    '../_base_/models/eedtp_nafnet-w48.py',
]

load_from = ('work_dirs/eedtp-tmddp_nafnet-w48_8xb2-lr5e-5-100k_dfwb/'
             'iter_100000.pth')
model = dict(stage='gef')
