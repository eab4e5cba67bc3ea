# EEDTP on mmagic's Restormer (the published size); every TransformerBlock
# is time-modulated from outside. stage='tmddp'; GEF configs switch it.
_base_ = './eedtp_nafnet-w48.py'

model = dict(
    generator=dict(
        _delete_=True,
        type='Restormer',
        inp_channels=3,
        out_channels=3,
        dim=48,
        num_blocks=[4, 6, 6, 8],
        num_refinement_blocks=4,
        heads=[1, 2, 4, 8],
        ffn_expansion_factor=2.66,
        bias=False,
        LayerNorm_type='BiasFree',
        dual_pixel_task=False),
    conditioner=dict(block_types=['TransformerBlock']),
    data_preprocessor=dict(pad_size_divisor=8))
