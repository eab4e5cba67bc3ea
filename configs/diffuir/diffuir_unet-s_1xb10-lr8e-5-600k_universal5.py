# DiffUIR-S: UNet 32-(1, 2, 2, 4), 3.27M parameters; everything else as
# DiffUIR-L (the universal 5-task setting, schedule, optimiser, EMA).
_base_ = ['./diffuir_unet-l_1xb10-lr8e-5-600k_universal5.py']

model = dict(generator=dict(dim=32, dim_mults=(1, 2, 2, 4)))
