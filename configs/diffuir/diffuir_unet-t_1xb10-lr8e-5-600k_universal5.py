# DiffUIR-T: UNet 32-(1, 1, 1, 1), 0.89M parameters; everything else as
# DiffUIR-L (the universal 5-task setting, schedule, optimiser, EMA).
_base_ = ['./_base_/train_universal5.py',
          '../_base_/models/diffuir_unet-t.py']
