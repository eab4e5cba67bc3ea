# The CPU configs' tiny DIRformer for restoration at scale 1 (dim 16, one
# block per level, heads [1, 1, 2, 2]) with one CPEN res-block; channels and
# scale are DIRformer's defaults (3 in, 3 out, 1).
generator = dict(
    type='DiffIRS1Net',
    cpen=dict(type='CPEN', lq_channels=3, gt_channels=3, lq_unshuffle=4,
              gt_unshuffle=4, n_feats=64, n_encoder_res=1),
    dirformer=dict(
        type='DIRformer',
        dim=16,
        num_blocks=[1, 1, 1, 1],
        num_refinement_blocks=1,
        heads=[1, 1, 2, 2],
        ffn_expansion_factor=2.0,
        bias=False,
        LayerNorm_type='WithBias'))
# the networks pad to multiples of 8 themselves
input_padding = dict()
