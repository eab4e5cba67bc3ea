# EEDTP (eedtp.py) on ../backbones/swinir-tiny.py, time-conditioned where
# that file says.
_base_ = ['./eedtp.py', '../backbones/swinir-tiny.py']

model = dict(generator=_base_.generator,
             conditioner=_base_.time_conditioning,
             data_preprocessor=_base_.input_padding)
