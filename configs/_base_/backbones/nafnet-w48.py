# mmagic's NAFNet at EEDTP's reference size (width 48, enc [2,2,4,28],
# middle 6, dec [2,2,2,2]), and what the methods need to know about it.
# A backbone file defines no `model` (mmengine refuses two bases that both
# do): configs/_base_/models/<method>_<backbone>.py puts these variables
# into the method's model.
generator = dict(
    type='NAFNet',
    img_channels=3,
    mid_channels=48,
    enc_blk_nums=[2, 2, 4, 28],
    middle_blk_num=6,
    dec_blk_nums=[2, 2, 2, 2])
# EEDTP's TimeConditioner: as in the reference, the time modulation (AdaLN)
# acts on the normalised features inside every NAFBlock (the outputs of its
# LayerNorm2d norm1/norm2), not on the residual stream (block-output
# placement is the option block_types=['NAFBlock']).
time_conditioning = dict(block_types=['LayerNorm2d'])
# EEDTP MTUL's TaskAdapters follow every decoder level.
adapter_levels = [r'decoders\.\d+']
# NAFNet pads its input itself (and adds it back): the data preprocessor
# pads nothing.
input_padding = dict()
