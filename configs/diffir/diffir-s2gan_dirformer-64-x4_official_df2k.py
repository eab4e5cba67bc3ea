# The released DiffIR x4 SR GAN generator (DiffIR-SRGAN), for testing: the
# stage-2 network of the x4 configs without the stage-1 teacher or the
# discriminator (neither is needed to restore). Convert, then test on the
# config's SR sets:
#   python tools/model_converters/diffir_to_mmdiffir.py net_g_x4.pth \
#       work_dirs/diffir_official_srx4.pth --config configs/diffir/<this>.py
#   python tools/test.py configs/diffir/<this>.py \
#       work_dirs/diffir_official_srx4.pth
_base_ = './diffir-s2_dirformer-64-x4_8xb8-lr2e-4-300k_df2k.py'

model = dict(s1=None, s1_checkpoint=None)
