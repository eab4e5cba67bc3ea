# The plain baseline of the EEDTP experiments: mmagic's NAFNet at the
# reference size (width 48, enc [2,2,4,28], middle 6, dec [2,2,2,2]; the
# same network as _base_/models/eedtp_nafnet-w48.py without the time
# conditioning), trained with L1 in a plain BaseEditModel.
_base_ = './plain_nafnet-w32.py'

model = dict(
    generator=dict(
        mid_channels=48,
        enc_blk_nums=[2, 2, 4, 28],
        middle_blk_num=6,
        dec_blk_nums=[2, 2, 2, 2]))
