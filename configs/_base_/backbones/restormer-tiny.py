# The CPU configs' tiny Restormer (dim 16, one block per level).
_base_ = './restormer.py'

generator = dict(dim=16, num_blocks=[1, 1, 1, 1], num_refinement_blocks=1,
                 heads=[1, 1, 2, 2])
# a time embedding of 32 for 16-channel features (64 at the full sizes)
time_conditioning = dict(embed_dim=32)
