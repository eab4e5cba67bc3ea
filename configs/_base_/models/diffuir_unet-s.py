# DiffUIR (diffuir.py) on ../backbones/unet-s.py.
_base_ = ['./diffuir.py', '../backbones/unet-s.py']

model = dict(generator=_base_.generator,
             data_preprocessor=_base_.input_padding)
