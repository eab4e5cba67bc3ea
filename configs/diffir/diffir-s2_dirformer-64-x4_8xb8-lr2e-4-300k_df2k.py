# DiffIR stage 2 for x4 SR (L1 + L_diff; the GAN stage follows it). CPEN_S2
# reads the LR directly (no unshuffle: it is already on the 1/4 grid).
#   bash tools/dist_train.sh configs/diffir/<this>.py 8 \
#       --cfg-options model.s1_checkpoint=<stage-1 checkpoint>
_base_ = [
    './diffir-s1_dirformer-64-x4_8xb8-lr2e-4-300k_df2k.py',
    '../_base_/models/diffir-s2.py',
]

# the stage-1 network is the frozen teacher, initialised (with the
# stage-2 DIRformer) from the stage-1 config's last checkpoint
model = dict(_base_.diffir_s2, s1=_base_.model.generator,
             s1_checkpoint='work_dirs/'
             'diffir-s1_dirformer-64-x4_8xb8-lr2e-4-300k_df2k/'
             'iter_300000.pth')
