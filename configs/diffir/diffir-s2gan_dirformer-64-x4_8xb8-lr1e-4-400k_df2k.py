# DiffIR x4 SR, the GAN stage (../_base_/models/diffir-s2gan.py): stage 2
# fine-tuned with L1 + VGG19 perceptual + GAN + L_diff, on the data of the
# x4 configs. Starts from the stage-2 checkpoint (its generator.* and s1.*
# weights):
#   bash tools/dist_train.sh configs/diffir/<this>.py 8 \
#       --cfg-options load_from=<stage-2 checkpoint>
_base_ = ['./diffir-s1_dirformer-64-x4_8xb8-lr2e-4-300k_df2k.py',
          '../_base_/models/diffir-s2gan.py']

model = dict(_base_.diffir_s2gan, s1=_base_.model.generator)
load_from = 'work_dirs/diffir-s2_dirformer-64-x4_8xb8-lr2e-4-300k_df2k/' \
    'iter_300000.pth'

max_iters = 400_000
train_cfg = dict(max_iters=max_iters)
optim_wrapper = dict(_base_.gan_optimizers, _delete_=True)
param_scheduler = dict(_delete_=True, type='MultiStepLR', by_epoch=False,
                       milestones=[200_000], gamma=0.5)
