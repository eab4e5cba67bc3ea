# DiffIR stage 1 (METHODS.md, DiffIR): CPEN_S1 reads the prior from LQ and
# GT, the DIRformer restores with it; L1 on images in [0, 1]. It has no
# generator: diffir-s1_<backbone>.py adds one from ../backbones/. Stage 2
# and the GAN stage build on a stage-1 config with diffir-s2.py and
# diffir-s2gan.py.
model = dict(
    type='DiffIRS1',
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    train_cfg=dict(),
    test_cfg=dict(),
    data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.],
                           std=[255., 255., 255.]))
