# DiffUIR's UNet 32-(1, 2, 2, 4), DiffUIR-S: 3.27M parameters.
# See nafnet-w48.py for how a backbone file is used.
generator = dict(type='DiffUIRUNet', dim=32, dim_mults=(1, 2, 2, 4))
# the UNet reflect-pads its input itself: the data preprocessor pads nothing
input_padding = dict()
