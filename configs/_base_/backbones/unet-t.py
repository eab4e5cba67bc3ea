# DiffUIR's UNet 32-(1, 1, 1, 1), DiffUIR-T: 0.89M parameters.
# See nafnet-w48.py for how a backbone file is used.
generator = dict(type='DiffUIRUNet', dim=32, dim_mults=(1, 1, 1, 1))
# the UNet reflect-pads its input itself: the data preprocessor pads nothing
input_padding = dict()
