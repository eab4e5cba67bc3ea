# DiffUIR-L with the reference's low-light protocol: every LOL input (train
# and test) is histogram-equalised per channel before the network sees it.
# This is how the reference trains and tests; it leaks the task of the LOL
# images (non-blind), so the default configs leave it out.
_base_ = ['./diffuir_unet-l_1xb10-lr8e-5-600k_universal5.py']

train_dataloader = {{_base_.train_universal5_histeq}}
test_dataloader = {{_base_.test_universal5_histeq}}
val_dataloader = {{_base_.val_universal5_histeq}}
