# CPU variant of the x4 SR GAN stage, from the CPU stage-2 checkpoint:
#   python tools/train.py configs/diffir/<this>.py
# Differences from the full GAN config, for an offline CPU: no VGG perceptual
# term (its ImageNet weights would have to be downloaded; add the full
# config's perceptual_loss when torchvision://vgg19 is in the torch hub
# cache), a narrower discriminator and a GAN weight of 0.1.
_base_ = ['./diffir-s1_dirformer-tiny-x4_1xb4-lr1e-3-1k_t91-cpu.py',
          '../_base_/models/diffir-s2gan.py']

model = dict(
    _base_.diffir_s2gan,
    s1=_base_.model.generator,
    discriminator=dict(_base_.diffir_s2gan.discriminator, mid_channels=16),
    perceptual_loss=None,
    gan_loss=dict(_base_.diffir_s2gan.gan_loss, loss_weight=0.1))
load_from = 'work_dirs/' \
    'diffir-s2_dirformer-tiny-x4_1xb4-lr1e-3-1k_t91-cpu/iter_1000.pth'
optim_wrapper = dict(_base_.gan_optimizers, _delete_=True)
