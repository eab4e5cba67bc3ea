"""Where a new general-purpose IR backbone's code goes (one file per network,
imported here so that ``register_all_modules`` registers it), see
docs/en/user_guides/new_backbone.md.

The backbones the configs use today are mmagic's (NAFNet, Restormer,
SwinIR: registered by mmagic, named by type in configs/_base_/backbones/);
DiffIR's DIRformer and DiffUIR's U-Net live with their methods in
models/editors/, since only those methods can drive them.
"""
__all__ = []
