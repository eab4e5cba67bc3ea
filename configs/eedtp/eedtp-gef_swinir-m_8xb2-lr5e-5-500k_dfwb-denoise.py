# EEDTP stage 2 (GEF) on SwinIR, from its TMDDP checkpoint; the method and
# schedule are the NAFNet config's (../_base_/eedtp_gef_dfwb.py).
_base_ = [
    '../_base_/eedtp_gef_dfwb.py',
    '../_base_/models/eedtp_swinir-m.py',
]

load_from = ('work_dirs/eedtp-tmddp_swinir-m_8xb2-lr5e-5-100k_dfwb/'
             'iter_100000.pth')
model = dict(stage='gef')
