# EEDTP on mmagic's Restormer (the published size); the normalised features
# inside every TransformerBlock are time-modulated from outside (block-output
# placement: conditioner=dict(block_types=['TransformerBlock'],
# name_patterns=None, shift_fold_into=None)). stage='tmddp'; GEF configs
# switch it.
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
    # the normalised features inside every TransformerBlock (norm1 feeds
    # attn.qkv, norm2 ffn.project_in: 1x1 convs into which the shift of a
    # BiasFree norm folds exactly at inference)
    conditioner=dict(
        block_types=['LayerNorm'], name_patterns=[r'.*\.norm[12]'],
        shift_fold_into={'norm1': 'attn.qkv', 'norm2': 'ffn.project_in'}),
    data_preprocessor=dict(pad_size_divisor=8))
