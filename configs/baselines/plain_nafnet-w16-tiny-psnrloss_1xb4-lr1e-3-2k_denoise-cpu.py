# The CPU NAFNet trained with mmagic's PSNRLoss instead of L1.
_base_ = './plain_nafnet-w16-tiny_1xb4-lr1e-3-2k_denoise-cpu.py'

model = dict(pixel_loss=dict(_delete_=True, type='PSNRLoss'))
