# A plain restorer (mmagic's BaseEditModel plus test_cfg's tiles / flip
# ensemble, mmdiffir/models/editors/plain_restorer.py) trained with L1,
# images in [0, 1]. It has no generator: plain_<backbone>.py adds one from
# ../backbones/<backbone>.py.
model = dict(
    type='PlainRestorer',
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    train_cfg=dict(),
    test_cfg=dict(),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))
