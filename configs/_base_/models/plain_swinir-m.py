# The plain method (plain.py) on ../backbones/swinir-m.py.
_base_ = ['./plain.py', '../backbones/swinir-m.py']

model = dict(generator=_base_.generator,
             data_preprocessor=_base_.input_padding)
