# DiffUIR (diffuir.py) on ../backbones/unet-t.py.
_base_ = ['./diffuir.py', '../backbones/unet-t.py']

model = dict(generator=_base_.generator,
             data_preprocessor=_base_.input_padding)
