# The CPU configs' tiny DIRformer for restoration at scale 1:
# dirformer-48.py at dim 16, one block per level, heads [1, 1, 2, 2], and
# one CPEN res-block.
_base_ = './dirformer-48.py'

generator = dict(
    cpen=dict(n_encoder_res=1),
    dirformer=dict(dim=16, num_blocks=[1, 1, 1, 1], num_refinement_blocks=1,
                   heads=[1, 1, 2, 2]))
