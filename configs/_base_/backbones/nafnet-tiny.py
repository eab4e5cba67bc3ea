# The CPU configs' tiny NAFNet (width 16, one block per level, two in the
# last encoder level): minutes of training on 2 cores.
_base_ = './nafnet-w48.py'

generator = dict(mid_channels=16, enc_blk_nums=[1, 1, 1, 2],
                 middle_blk_num=1, dec_blk_nums=[1, 1, 1, 1])
# a time embedding of 32 for 16-channel features (64 at the full sizes)
time_conditioning = dict(embed_dim=32)
