# DiffUIR's UNet 16-(1, 1, 1, 1): the CPU configs' DiffUIR-T layout at half
# width, 0.26M parameters. See nafnet-w48.py for how a backbone file is used.
generator = dict(type='DiffUIRUNet', dim=16, dim_mults=(1, 1, 1, 1))
# the UNet reflect-pads its input itself: the data preprocessor pads nothing
input_padding = dict()
