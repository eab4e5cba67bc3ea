# DiffIR x4 SR, the GAN stage: stage 2 fine-tuned with L1 + VGG19 perceptual
# + GAN (U-Net discriminator with spectral norm, as Real-ESRGAN) + L_diff.
# Two optimizers (generator / discriminator), mmagic's GAN pattern; starts
# from the stage-2 checkpoint (its generator.* and s1.* weights):
#   bash tools/dist_train.sh configs/diffir/<this>.py 8 \
#       --cfg-options load_from=<stage-2 checkpoint>
# The VGG19 ImageNet weights load when training starts (torchvision://vgg19:
# the torch hub cache, downloaded once if missing).
_base_ = './diffir-s2_dirformer-64-x4_8xb8-lr2e-4-300k_df2k.py'

model = dict(
    _delete_=True,
    type='DiffIRS2GAN',
    generator={{_base_.model.generator}},
    s1={{_base_.model.s1}},
    discriminator=dict(type='UNetDiscriminatorWithSpectralNorm',
                       in_channels=3, mid_channels=64, skip_connection=True),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    perceptual_loss=dict(
        type='VGGPerceptualLoss',
        layer_weights={'2': 0.1, '7': 0.1, '16': 1.0, '25': 1.0, '34': 1.0},
        criterion='l1',
        loss_weight=1.0,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://vgg19')),
    gan_loss=dict(type='GANLoss', gan_type='vanilla', loss_weight=1.0,
                  real_label_val=1.0, fake_label_val=0.0),
    diffusion_loss=dict(type='L1Loss', loss_weight=1.0),
    train_cfg=dict(),
    test_cfg=dict(),
    data_preprocessor={{_base_.model.data_preprocessor}})
load_from = 'work_dirs/diffir-s2_dirformer-64-x4_8xb8-lr2e-4-300k_df2k/' \
    'iter_300000.pth'

# one DDP per trainable child (generator, discriminator), as mmagic's GANs
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel',
                         find_unused_parameters=False)

max_iters = 400_000
train_cfg = dict(max_iters=max_iters)
optim_wrapper = dict(
    _delete_=True,
    constructor='MultiOptimWrapperConstructor',
    generator=dict(type='OptimWrapper', optimizer=dict(
        type='Adam', lr=1e-4, betas=(0.9, 0.99), weight_decay=0.)),
    discriminator=dict(type='OptimWrapper', optimizer=dict(
        type='Adam', lr=1e-4, betas=(0.9, 0.99), weight_decay=0.)))
param_scheduler = dict(_delete_=True, type='MultiStepLR', by_epoch=False,
                       milestones=[200_000], gamma=0.5)
