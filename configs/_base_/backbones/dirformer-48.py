# DiffIR's stage-1 network at the published deblurring size (GoPro):
# DIRformer dim 48, blocks [3, 5, 6, 6], refinement 4, heads [1, 2, 4, 8],
# FFN 2.0, WithBias LN; CPEN with 5 res-blocks reading
# concat(unshuffle4(LQ), unshuffle4(GT)) (48 + 48 input channels). The
# stage-2 network (../models/diffir-s2.py) keeps both and makes CPEN read
# the LQ only. See nafnet-w48.py for how a backbone file is used.
generator = dict(
    type='DiffIRS1Net',
    cpen=dict(type='CPEN', lq_channels=3, gt_channels=3, lq_unshuffle=4,
              gt_unshuffle=4, n_feats=64, n_encoder_res=5),
    dirformer=dict(
        type='DIRformer',
        inp_channels=3,
        out_channels=3,
        dim=48,
        num_blocks=[3, 5, 6, 6],
        num_refinement_blocks=4,
        heads=[1, 2, 4, 8],
        ffn_expansion_factor=2.0,
        bias=False,
        LayerNorm_type='WithBias',
        scale=1))
# the networks pad to multiples of 8 themselves: the data preprocessor pads
# nothing
input_padding = dict()
