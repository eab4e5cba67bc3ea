# DiffIR stage 1 for x4 super-resolution (bicubic degradation), the
# reference x4 model with the upsampler tail
# (../_base_/backbones/dirformer-64-x4.py). CPEN_S1 reads
# concat(LR, unshuffle4(HR)) on the LR grid: 3 + 48 input channels.
# Trained on DF2K HR crops downsampled with MATLAB bicubic; tested on Set5 /
# Set14 (../_base_/datasets/sr_x4.py).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/diffir_s1_300k.py',
    '../_base_/datasets/sr_x4.py',
    '../_base_/models/diffir-s1_dirformer-64-x4.py',
]
