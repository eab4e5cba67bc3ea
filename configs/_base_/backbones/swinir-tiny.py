# The CPU configs' tiny SwinIR (embed 24, two RSTBs of depth 2, 64 crops).
_base_ = './swinir-m.py'

generator = dict(img_size=64, depths=[2, 2], embed_dim=24, num_heads=[2, 2])
# a time embedding of 32 for 24-channel tokens (64 at the full sizes)
time_conditioning = dict(embed_dim=32)
