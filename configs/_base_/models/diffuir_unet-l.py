# DiffUIR (diffuir.py) on ../backbones/unet-l.py.
_base_ = ['./diffuir.py', '../backbones/unet-l.py']

model = dict(generator=_base_.generator,
             data_preprocessor=_base_.input_padding)
