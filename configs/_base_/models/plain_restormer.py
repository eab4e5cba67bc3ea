# The plain method (plain.py) on ../backbones/restormer.py.
_base_ = ['./plain.py', '../backbones/restormer.py']

model = dict(generator=_base_.generator,
             data_preprocessor=_base_.input_padding)
