# DiffUIR-L (Zheng et al., CVPR 2024), the size the reference releases
# (../_base_/backbones/unet-l.py), on the universal 5-task setting (haze,
# low light, rain, snow, blur; see ./_base_/universal5.py) with the
# reference's training (./_base_/train_universal5.py); test with 3
# deterministic steps (t = 999, 665, 332) from (1 - dbar_T) I_in + 0.1 eps,
# the predicted residual clamped to [-1, 1] at every step.
#   python tools/train.py configs/diffuir/<this>.py
#   bash tools/dist_train.sh configs/diffuir/<this>.py 8 \
#       --cfg-options train_dataloader.batch_size=2 \
#       train_dataloader.sampler.batch_size=2 \
#       optim_wrapper.accumulative_counts=1
# (8 GPUs x 2 x 1 = 16; the reference is 1 GPU x 10 x 2 = 20.)
_base_ = ['./_base_/train_universal5.py',
          '../_base_/models/diffuir_unet-l.py']
