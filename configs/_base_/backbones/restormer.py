# mmagic's Restormer at the published denoising size (dim 48, blocks
# [4, 6, 6, 8]), and what the methods need to know about it (see
# nafnet-w48.py for how a backbone file is used).
generator = dict(
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
    dual_pixel_task=False)
# EEDTP's TimeConditioner: the normalised features inside every
# TransformerBlock (norm1 feeds attn.qkv, norm2 ffn.project_in: 1x1 convs
# into which the shift of a BiasFree norm folds exactly at inference).
# Block-output placement is the option block_types=['TransformerBlock'],
# name_patterns=None, shift_fold_into=None.
time_conditioning = dict(
    block_types=['LayerNorm'], name_patterns=[r'.*\.norm[12]'],
    shift_fold_into={'norm1': 'attn.qkv', 'norm2': 'ffn.project_in'})
# EEDTP MTUL's TaskAdapters follow the three decoder levels.
adapter_levels = [r'decoder_level\d']
# Restormer needs sides that are multiples of 8: the data preprocessor pads
# and un-pads.
input_padding = dict(pad_size_divisor=8)
