# The standard all-in-one settings in their published layouts (see
# tools/dataset_converters/README.md), each task tagged with the degradation
# whose EEDTP t_mat MultiTaskDataset looks up (mmdiffir/t_mat.py, §1.3). A config picks one setting with whole-value
# substitutions, e.g.
#   train_dataloader = {{_base_.train_3task}}
#   test_dataloader = {{_base_.test_3task}}
#   test_evaluator = {{_base_.metrics_3task}}
# Settings (tests give one table row per benchmark, plus the average):
#   3task:  BSD400+WED noise sigma 15/25/50, Rain100L (RainTrainL), RESIDE
#           OTS -> SOTS outdoor, Rain100L, CBSD68 sigma 15/25/50
#           (AirNet / PromptIR protocol)
#   5task:  + GoPro, LOL-v1; noise sigma 25 -> Rain100L, SOTS, CBSD68 s25,
#           GoPro, LOL (InstructIR-5D protocol)
#   10task: the DA-CLIP set, data/universal/{train,val}/<degradation>/{LQ,GT}
_base_ = './common.py'

train_crop = 128
train_batch = 2  # per GPU: 8 GPUs x 2 = the reference batch 16

_load = [_base_.load_img, _base_.load_gt]
_augment = [
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='horizontal'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='PackInputs'),
]
paired_train_pipeline = _load + [
    dict(type='SetValues', dictionary=dict(scale=1)),
    dict(type='PairedRandomCrop', gt_patch_size=train_crop),
] + _augment
paired_test_pipeline = _load + [dict(type='PackInputs')]


def _noise_train_pipeline(sigma):
    return [
        _base_.load_gt,
        dict(type='Crop', keys=['gt'], crop_size=(train_crop, train_crop),
             random_crop=True),
        dict(type='Flip', keys=['gt'], flip_ratio=0.5,
             direction='horizontal'),
        dict(type='AddGaussianNoise', sigma=sigma),
        dict(type='PackInputs'),
    ]


def _noise_train(name, sigma, ratio):
    return dict(name=name, degradation='noise', ratio=ratio,
                dataset=dict(type='CleanImageDataset', data_root='data',
                             data_prefix=dict(gt=['BSD400', 'WED']),
                             pipeline=_noise_train_pipeline(sigma)))


def _paired_train(name, task, dataset_type, data_root, ratio=1.0, **kw):
    return dict(name=name, degradation=task, ratio=ratio,
                dataset=dict(type=dataset_type, data_root=data_root,
                             pipeline=paired_train_pipeline, **kw))


def _ots_train():
    # RESIDE OTS: hazy images in part sub-folders, key = name before '_'
    return _paired_train('haze', 'haze', 'SOTSDataset', 'data/OTS',
                         data_prefix=dict(img='hazy', gt='clear'),
                         recursive=True,
                         key_regex=dict(img=r'(?:.*/)?([^_/]+)_.*'))


def _train_loader(tasks):
    return dict(
        num_workers=4,
        batch_size=train_batch,
        persistent_workers=False,
        sampler=dict(type='MultiTaskSampler', batch_size=train_batch),
        dataset=dict(type='MultiTaskDataset', tasks=tasks))


def _test_loader(name, task, dataset):
    return dict(_base_.ordered_loader,
                dataset=dict(type='MultiTaskDataset',
                             tasks=[dict(name=name, degradation=task,
                                         dataset=dataset)]))


def _paired_test(name, task, dataset_type, data_root, **kw):
    return _test_loader(name, task, dict(
        type=dataset_type, data_root=data_root,
        pipeline=paired_test_pipeline, **kw))


def _noise_test(name, sigma, folder='CBSD68'):
    return _test_loader(name, 'noise', dict(
        type='CleanImageDataset', data_root='data/denoise',
        data_prefix=dict(gt=folder),
        pipeline=[
            _base_.load_gt,
            dict(type='AddGaussianNoise', sigma=sigma, seed=0),
            dict(type='PackInputs'),
        ]))


def _metrics(name):
    return [dict(m, prefix=name + suffix) for suffix, m in _base_.psnr_ssim]


def _names(loaders):
    return [d['dataset']['tasks'][0]['name'] for d in loaders]


# ---------------------------------------------------------------- 3 tasks
train_3task = _train_loader([
    _noise_train('noise15', 15, 1 / 3),
    _noise_train('noise25', 25, 1 / 3),
    _noise_train('noise50', 50, 1 / 3),
    _paired_train('rain', 'rain', 'Rain100Dataset', 'data/RainTrainL'),
    _ots_train(),
])
test_3task = [
    _paired_test('SOTS', 'haze', 'SOTSDataset', 'data/SOTS/outdoor'),
    _paired_test('Rain100L', 'rain', 'Rain100Dataset', 'data/Rain100L'),
    _noise_test('CBSD68-s15', 15),
    _noise_test('CBSD68-s25', 25),
    _noise_test('CBSD68-s50', 50),
]
metrics_3task = [_metrics(n) for n in _names(test_3task)]

# ---------------------------------------------------------------- 5 tasks
train_5task = _train_loader([
    _noise_train('noise', (15, 50), 1.0),
    _paired_train('rain', 'rain', 'Rain100Dataset', 'data/RainTrainL'),
    _ots_train(),
    _paired_train('blur', 'blur', 'GoProDataset', 'data/GoPro/train'),
    _paired_train('lowlight', 'lowlight', 'LOLDataset', 'data/LOL/our485'),
])
test_5task = [
    _paired_test('Rain100L', 'rain', 'Rain100Dataset', 'data/Rain100L'),
    _paired_test('SOTS', 'haze', 'SOTSDataset', 'data/SOTS/outdoor'),
    _noise_test('CBSD68-s25', 25),
    _paired_test('GoPro', 'blur', 'GoProDataset', 'data/GoPro/test'),
    _paired_test('LOL', 'lowlight', 'LOLDataset', 'data/LOL/eval15'),
]
metrics_5task = [_metrics(n) for n in _names(test_5task)]

# ---------------------------------------------------------------- 10 tasks
# DA-CLIP's folder names -> their degradation (the t_mat table's name)
daclip_tasks = [('motion-blurry', 'blur'), ('hazy', 'haze'),
                ('jpeg-compressed', 'jpeg'), ('low-light', 'lowlight'),
                ('noisy', 'noise'), ('raindrop', 'raindrop'),
                ('rainy', 'rain'), ('shadowed', 'shadow'),
                ('snowy', 'snow'), ('uncompleted', 'inpainting')]
train_10task = _train_loader([
    _paired_train(folder, task, 'PairedImageDataset',
                  f'data/universal/train/{folder}',
                  data_prefix=dict(img='LQ', gt='GT'))
    for folder, task in daclip_tasks
])
test_10task = [
    _paired_test(folder, task, 'PairedImageDataset',
                 f'data/universal/val/{folder}',
                 data_prefix=dict(img='LQ', gt='GT'))
    for folder, task in daclip_tasks
]
metrics_10task = [_metrics(n) for n in _names(test_10task)]
