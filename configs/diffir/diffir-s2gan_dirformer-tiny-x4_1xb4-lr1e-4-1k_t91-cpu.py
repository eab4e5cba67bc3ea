# CPU variant of the x4 SR GAN stage, from the CPU stage-2 checkpoint:
#   python tools/train.py configs/diffir/<this>.py
# Differences from the full GAN config, for an offline CPU: no VGG perceptual
# term (its ImageNet weights would have to be downloaded; add the full
# config's perceptual_loss when torchvision://vgg19 is in the torch hub
# cache) and a narrower discriminator.
_base_ = './diffir-s2_dirformer-tiny-x4_1xb4-lr1e-3-1k_t91-cpu.py'

model = dict(
    _delete_=True,
    type='DiffIRS2GAN',
    generator={{_base_.model.generator}},
    s1={{_base_.model.s1}},
    discriminator=dict(type='UNetDiscriminatorWithSpectralNorm',
                       in_channels=3, mid_channels=16, skip_connection=True),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    perceptual_loss=None,
    gan_loss=dict(type='GANLoss', gan_type='vanilla', loss_weight=0.1,
                  real_label_val=1.0, fake_label_val=0.0),
    diffusion_loss=dict(type='L1Loss', loss_weight=1.0),
    train_cfg=dict(),
    test_cfg=dict(),
    data_preprocessor={{_base_.model.data_preprocessor}})
load_from = 'work_dirs/' \
    'diffir-s2_dirformer-tiny-x4_1xb4-lr1e-3-1k_t91-cpu/iter_1000.pth'
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel',
                         find_unused_parameters=False)
optim_wrapper = dict(
    _delete_=True,
    constructor='MultiOptimWrapperConstructor',
    generator=dict(type='OptimWrapper', optimizer=dict(
        type='Adam', lr=1e-4, betas=(0.9, 0.99), weight_decay=0.)),
    discriminator=dict(type='OptimWrapper', optimizer=dict(
        type='Adam', lr=1e-4, betas=(0.9, 0.99), weight_decay=0.)))
