# The released DiffIR deblurring model (GoPro), for testing: the stage-2
# network of the training config, with no stage-1 teacher (the authors
# released no S1 weights, and restoration never reads it). Convert the
# released BasicSR file first, then test on GoPro and HIDE:
#   python tools/model_converters/diffir_to_mmdiffir.py net_g_GoPro.pth \
#       work_dirs/diffir_official_gopro.pth --config configs/diffir/<this>.py
#   python tools/test.py configs/diffir/<this>.py \
#       work_dirs/diffir_official_gopro.pth
_base_ = './diffir-s2_dirformer-48_8xb8-lr2e-4-400k_gopro.py'

model = dict(s1=None, s1_checkpoint=None)
