# The plain method (plain.py) on ../backbones/restormer-tiny.py.
_base_ = ['./plain.py', '../backbones/restormer-tiny.py']

model = dict(generator=_base_.generator,
             data_preprocessor=_base_.input_padding)
