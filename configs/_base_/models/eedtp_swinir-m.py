# EEDTP on mmagic's SwinIR (colour-denoising size); the normalised tokens
# (B, L, C) inside every Swin block (its nn.LayerNorm norm1/norm2) are
# time-modulated from outside (block-output placement:
# conditioner=dict(block_types=['SwinTransformerBlock'], name_patterns=None)).
# stage='tmddp'.
_base_ = './eedtp_nafnet-w48.py'

model = dict(
    generator=dict(
        _delete_=True,
        type='SwinIRNet',
        upscale=1,
        in_chans=3,
        img_size=128,
        window_size=8,
        img_range=1.0,
        depths=[6, 6, 6, 6, 6, 6],
        embed_dim=180,
        num_heads=[6, 6, 6, 6, 6, 6],
        mlp_ratio=2,
        upsampler='',
        resi_connection='1conv'),
    conditioner=dict(block_types=['LayerNorm'],
                     name_patterns=[r'.*\.blocks\.\d+\.norm[12]']))
