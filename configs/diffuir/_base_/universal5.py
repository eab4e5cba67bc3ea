# DiffUIR's universal 5-task setting (METHODS.md §3) in the published
# layouts (tools/dataset_converters/README.md), one MultiTaskDataset with
# the reference's per-batch mix as sampling ratios: haze 4, low light 1,
# rain 2, snow 2, blur 1. The reference builds each batch of 10 from exactly
# 4 + 1 + 2 + 2 + 1 crops; MultiTaskSampler draws every sample's task with
# those probabilities instead (same expected mix, any batch size, any number
# of processes).
#   train: RESIDE OTS | LOL our485 | Rain13K (MPRNet's `train/Rain13K`,
#          input/ + target/) | Snow100K train | GoPro train; 256 crops,
#          horizontal flips.
#   test:  Rain100H, Rain100L, Test100, Test1200, Test2800 (MPRNet's
#          `test/<set>/input|target`), LOL eval15, Snow100K-S and -L, GoPro,
#          HIDE, SOTS outdoor; PSNR/SSIM on RGB and on Y (the reference
#          reports Y).
# A config picks whole values, e.g.
#   train_dataloader = {{_base_.train_universal5}}
#   test_dataloader = {{_base_.test_universal5}}
#   test_evaluator = {{_base_.metrics_universal5}}
# The *_histeq variants histogram-equalise every LOL input (train and test)
# as the reference does; it tells the model which images are low-light, so
# it is not the default (see EqualizeHistogram).
train_crop = 256
train_batch = 10  # the reference's batch on one GPU

# MultiTaskDataset tags each task with its name's EEDTP t_mat
# (mmdiffir/t_mat.py); DiffUIR itself never reads it.

_load = [
    dict(type='LoadImageFromFile', key='img', color_type='color',
         channel_order='rgb', imdecode_backend='cv2'),
    dict(type='LoadImageFromFile', key='gt', color_type='color',
         channel_order='rgb', imdecode_backend='cv2'),
]
_histeq = [dict(type='EqualizeHistogram', keys=['img'])]
_crop_flip_pack = [
    dict(type='SetValues', dictionary=dict(scale=1)),
    dict(type='PairedRandomCrop', gt_patch_size=train_crop),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='horizontal'),
    dict(type='PackInputs'),
]
train_pipeline = _load + _crop_flip_pack
train_pipeline_histeq = _load + _histeq + _crop_flip_pack
test_pipeline = _load + [dict(type='PackInputs')]
test_pipeline_histeq = _load + _histeq + [dict(type='PackInputs')]


def _task(name, ratio, dataset_type, data_root, pipeline, **kw):
    return dict(name=name, ratio=ratio,
                dataset=dict(type=dataset_type, data_root=data_root,
                             pipeline=pipeline, **kw))


def _train(histeq):
    light = train_pipeline_histeq if histeq else train_pipeline
    return dict(
        num_workers=4,
        batch_size=train_batch,
        persistent_workers=False,
        sampler=dict(type='MultiTaskSampler', batch_size=train_batch),
        dataset=dict(type='MultiTaskDataset', tasks=[
            # RESIDE OTS: hazy images in part sub-folders, key before '_'
            _task('haze', 4, 'SOTSDataset', 'data/OTS', train_pipeline,
                  data_prefix=dict(img='hazy', gt='clear'), recursive=True,
                  key_regex=dict(img=r'(?:.*/)?([^_/]+)_.*')),
            _task('lowlight', 1, 'LOLDataset', 'data/LOL/our485', light),
            _task('rain', 2, 'PairedImageDataset', 'data/Rain13K',
                  train_pipeline),
            _task('snow', 2, 'Snow100KDataset', 'data/Snow100K/train',
                  train_pipeline),
            _task('blur', 1, 'GoProDataset', 'data/GoPro/train',
                  train_pipeline),
        ]))


def _loader(dataset_type, data_root, pipeline=test_pipeline, **kw):
    return dict(
        num_workers=2,
        persistent_workers=False,
        drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type=dataset_type, data_root=data_root,
                     pipeline=pipeline, **kw))


def _metrics(name):
    return [
        dict(type='PSNR', prefix=name),
        dict(type='SSIM', prefix=name),
        dict(type='PSNR', prefix=name + '/Y', convert_to='Y'),
        dict(type='SSIM', prefix=name + '/Y', convert_to='Y'),
    ]


def _tests(histeq):
    light = test_pipeline_histeq if histeq else test_pipeline
    return [
        ('Rain100H', _loader('Rain100Dataset', 'data/Rain100H')),
        ('Rain100L', _loader('Rain100Dataset', 'data/Rain100L')),
        ('Test100', _loader('PairedImageDataset', 'data/Test100')),
        ('Test1200', _loader('PairedImageDataset', 'data/Test1200')),
        ('Test2800', _loader('PairedImageDataset', 'data/Test2800')),
        ('LOL', _loader('LOLDataset', 'data/LOL/eval15', light)),
        ('Snow100K-S', _loader('Snow100KDataset',
                               'data/Snow100K/test/Snow100K-S')),
        ('Snow100K-L', _loader('Snow100KDataset',
                               'data/Snow100K/test/Snow100K-L')),
        ('GoPro', _loader('GoProDataset', 'data/GoPro/test')),
        ('HIDE', _loader('PairedImageDataset', 'data/HIDE')),
        ('SOTS', _loader('SOTSDataset', 'data/SOTS/outdoor')),
    ]


train_universal5 = _train(histeq=False)
train_universal5_histeq = _train(histeq=True)
test_universal5 = [loader for _, loader in _tests(False)]
test_universal5_histeq = [loader for _, loader in _tests(True)]
metrics_universal5 = [_metrics(name) for name, _ in _tests(False)]
# the quick validation during training: SOTS, Rain100L, LOL
def _val(histeq):
    return [t for t in _tests(histeq) if t[0] in ('SOTS', 'Rain100L', 'LOL')]


val_universal5 = [loader for _, loader in _val(False)]
val_universal5_histeq = [loader for _, loader in _val(True)]
val_metrics_universal5 = [_metrics(name) for name, _ in _val(False)]
