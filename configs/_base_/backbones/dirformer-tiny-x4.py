# The CPU configs' tiny x4 SR network: dirformer-64-x4.py (upsampler tail,
# CPEN on the LR grid) at dim 16, one block per level, FFN 2.0, and one
# CPEN res-block.
_base_ = './dirformer-64-x4.py'

generator = dict(
    cpen=dict(n_encoder_res=1),
    dirformer=dict(dim=16, num_blocks=[1, 1, 1, 1], num_refinement_blocks=1,
                   heads=[1, 1, 2, 2], ffn_expansion_factor=2.0))
