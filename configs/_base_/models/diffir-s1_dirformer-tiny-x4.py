# DiffIR stage 1 (diffir-s1.py) on ../backbones/dirformer-tiny-x4.py.
_base_ = ['./diffir-s1.py', '../backbones/dirformer-tiny-x4.py']

model = dict(generator=_base_.generator,
             data_preprocessor=_base_.input_padding)
