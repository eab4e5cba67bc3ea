# EEDTP (eedtp.py) on ../backbones/nafnet-tiny.py, time-conditioned where
# that file says.
_base_ = ['./eedtp.py', '../backbones/nafnet-tiny.py']

model = dict(generator=_base_.generator,
             conditioner=_base_.time_conditioning,
             data_preprocessor=_base_.input_padding)
