# The plain method (plain.py) on ../backbones/nafnet-w32.py.
_base_ = ['./plain.py', '../backbones/nafnet-w32.py']

model = dict(generator=_base_.generator,
             data_preprocessor=_base_.input_padding)
