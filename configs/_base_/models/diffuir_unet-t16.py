# DiffUIR (diffuir.py) on ../backbones/unet-t16.py.
_base_ = ['./diffuir.py', '../backbones/unet-t16.py']

model = dict(generator=_base_.generator,
             data_preprocessor=_base_.input_padding)
