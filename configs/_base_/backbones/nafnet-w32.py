# mmagic's NAFNet at width 32 in the NAFNet-SIDD layout (enc [2,2,4,8],
# middle 12, dec [2,2,2,2]); the methods see it as the other NAFNets.
_base_ = './nafnet-w48.py'

generator = dict(mid_channels=32, enc_blk_nums=[2, 2, 4, 8],
                 middle_blk_num=12, dec_blk_nums=[2, 2, 2, 2])
