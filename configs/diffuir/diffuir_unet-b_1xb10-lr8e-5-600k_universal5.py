# DiffUIR-B: UNet 64-(1, 2, 2, 4), 12.41M parameters; everything else as
# DiffUIR-L (the universal 5-task setting, schedule, optimiser, EMA).
_base_ = ['./_base_/train_universal5.py',
          '../_base_/models/diffuir_unet-b.py']
