# mmagic's SwinIR at the published colour-denoising size (embed 180, 6 RSTBs
# of depth 6, window 8, upscale 1), and what the methods need to know about
# it (see nafnet-w48.py for how a backbone file is used).
generator = dict(
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
    resi_connection='1conv')
# EEDTP's TimeConditioner: the normalised tokens (B, L, C) inside every Swin
# block (its nn.LayerNorm norm1/norm2). Block-output placement is the option
# block_types=['SwinTransformerBlock'], name_patterns=None.
time_conditioning = dict(block_types=['LayerNorm'],
                         name_patterns=[r'.*\.blocks\.\d+\.norm[12]'])
# No adapter_levels: its residual groups work on tokens, not on the
# (B, C, H, W) maps a TaskAdapter follows, and no MTUL config uses SwinIR.
# SwinIR pads its input to a multiple of the window itself.
input_padding = dict()
