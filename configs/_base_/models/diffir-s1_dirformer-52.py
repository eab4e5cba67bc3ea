# DiffIR stage 1 (diffir-s1.py) on ../backbones/dirformer-52.py.
_base_ = ['./diffir-s1.py', '../backbones/dirformer-52.py']

model = dict(generator=_base_.generator,
             data_preprocessor=_base_.input_padding)
