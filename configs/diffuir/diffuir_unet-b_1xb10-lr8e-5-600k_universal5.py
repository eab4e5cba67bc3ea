# DiffUIR-B: UNet 64-(1, 2, 2, 4), 12.41M parameters; everything else as
# DiffUIR-L (the universal 5-task setting, schedule, optimiser, EMA).
_base_ = ['./diffuir_unet-l_1xb10-lr8e-5-600k_universal5.py']

model = dict(generator=dict(dim=64, dim_mults=(1, 2, 2, 4)))
