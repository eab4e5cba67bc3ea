# The demo's plain baseline: a tiny NAFNet learns to remove Gaussian noise
# (sigma 25) from real photos bundled with scikit-image, on CPU in a few
# minutes, then is tested on photos it never saw (chelsea, coffee, camera).
# `make demo` trains it and, with the same budget, EEDTP on the same network
# (demo_eedtp-*.py), and prints both in one table.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_1k.py',
    '../_base_/datasets/demo_skimage_noise25.py',
    # the demo's tiny NAFNet (the EEDTP demo configs use the same backbone
    # file; a test checks that the two arms match)
    '../_base_/models/plain_nafnet-tiny.py',
]

default_hooks = dict(logger=dict(interval=50))
