# What every data set of mmdiffir shares, written once. Every file in this
# folder inherits it (each a chain of one, so that a config includes one
# data file and no key comes from two bases) and uses it as
# `_base_.load_gt`, `dict(_base_.ordered_loader, dataset=...)` (likewise
# shuffled_loader) and
#   [dict(m, prefix=name + suffix) for suffix, m in _base_.psnr_ssim].

# How an image is read: colour, RGB order, the cv2 decoder.
load_gt = dict(type='LoadImageFromFile', key='gt', color_type='color',
               channel_order='rgb', imdecode_backend='cv2')
load_img = dict(load_gt, key='img')

# A training loader, less its batch size and dataset: an endless shuffled
# stream of draws (KeyedInfiniteSampler).
shuffled_loader = dict(
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='KeyedInfiniteSampler', shuffle=True))

# A test (or validation) loader, less its dataset: in order, one process'
# share of the set, nothing dropped.
ordered_loader = dict(
    num_workers=2,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False))

# The metric set of every benchmark table: PSNR and SSIM on RGB under the
# set's name, and on the Y channel under '<name>/Y' (the deraining and
# all-in-one papers report Y), as (prefix suffix, metric) pairs.
psnr_ssim = [
    ('', dict(type='PSNR')),
    ('', dict(type='SSIM')),
    ('/Y', dict(type='PSNR', convert_to='Y')),
    ('/Y', dict(type='SSIM', convert_to='Y')),
]
