# DiffIR stage 2 for inpainting (layout of the published model):
#   bash tools/dist_train.sh configs/diffir/<this>.py 8 \
#       --cfg-options model.s1_checkpoint=<stage-1 checkpoint>
_base_ = [
    './diffir-s1_dirformer-52_8xb8-lr2e-4-300k_places-inpainting.py',
    '../_base_/models/diffir-s2.py',
]

# the stage-1 network is the frozen teacher, initialised (with the
# stage-2 DIRformer) from the stage-1 config's last checkpoint
model = dict(_base_.diffir_s2, s1=_base_.model.generator,
             s1_checkpoint='work_dirs/'
             'diffir-s1_dirformer-52_8xb8-lr2e-4-300k_places-inpainting/'
             'iter_300000.pth')
max_iters = 400_000
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(T_max=max_iters)
