# DiffIR's stage-1 network for x4 super-resolution (the reference x4 model):
# DIRformer dim 64, blocks [13, 1, 1, 1], refinement 13, FFN 2.2, BiasFree
# LN, with the upsampler tail (scale 4); CPEN with 9 res-blocks reading
# concat(LR, unshuffle4(HR)) on the LR grid (3 + 48 input channels).
_base_ = './dirformer-48.py'

generator = dict(
    cpen=dict(lq_unshuffle=1, n_encoder_res=9),
    dirformer=dict(dim=64, num_blocks=[13, 1, 1, 1],
                   num_refinement_blocks=13, ffn_expansion_factor=2.2,
                   LayerNorm_type='BiasFree', scale=4))
