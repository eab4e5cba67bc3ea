# DiffUIR's UNet 64-(1, 2, 4, 8), DiffUIR-L, the size the reference
# releases: 36.26M parameters. See nafnet-w48.py for how a backbone file is
# used.
generator = dict(type='DiffUIRUNet', dim=64, dim_mults=(1, 2, 4, 8))
# the UNet reflect-pads its input itself: the data preprocessor pads nothing
input_padding = dict()
