# DiffIR's stage-1 network at the published inpainting layout: as
# dirformer-48.py but DIRformer dim 52, blocks [1, 1, 1, 9].
_base_ = './dirformer-48.py'

generator = dict(dirformer=dict(dim=52, num_blocks=[1, 1, 1, 9]))
