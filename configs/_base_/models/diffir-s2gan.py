# DiffIR's GAN stage (x4 SR), the recipe a GAN config adds to its stage-1
# config: the stage-2 network (diffir-s2.py) fine-tuned with L1 + VGG19
# perceptual + GAN (U-Net discriminator with spectral norm, as Real-ESRGAN)
# + L_diff, two optimizers (generator / discriminator) as mmagic's GANs:
#   _base_ = ['./<stage-1 config>.py', '../_base_/models/diffir-s2gan.py']
#   model = dict(_base_.diffir_s2gan, s1=_base_.model.generator)
#   optim_wrapper = dict(_base_.gan_optimizers, _delete_=True)
# The VGG19 ImageNet weights load when training starts (torchvision://vgg19:
# the torch hub cache, downloaded once if missing).
_base_ = './diffir-s2.py'

diffir_s2gan = dict(
    type='DiffIRS2GAN',
    generator=_base_.diffir_s2.generator,
    discriminator=dict(type='UNetDiscriminatorWithSpectralNorm',
                       in_channels=3, mid_channels=64, skip_connection=True),
    perceptual_loss=dict(
        type='VGGPerceptualLoss',
        layer_weights={'2': 0.1, '7': 0.1, '16': 1.0, '25': 1.0, '34': 1.0},
        criterion='l1',
        loss_weight=1.0,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://vgg19')),
    gan_loss=dict(type='GANLoss', gan_type='vanilla', loss_weight=1.0,
                  real_label_val=1.0, fake_label_val=0.0),
    diffusion_loss=_base_.diffir_s2.diffusion_loss)

# one DDP per trainable child (generator, discriminator), as mmagic's GANs
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel',
                         find_unused_parameters=False)
_adam = dict(type='OptimWrapper', optimizer=dict(
    type='Adam', lr=1e-4, betas=(0.9, 0.99), weight_decay=0.,
    fused=True))  # as schedules/iter_cosine.py
gan_optimizers = dict(constructor='MultiOptimWrapperConstructor',
                         generator=_adam, discriminator=_adam)
