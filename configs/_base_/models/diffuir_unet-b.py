# DiffUIR (diffuir.py) on ../backbones/unet-b.py.
_base_ = ['./diffuir.py', '../backbones/unet-b.py']

model = dict(generator=_base_.generator,
             data_preprocessor=_base_.input_padding)
