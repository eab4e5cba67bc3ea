"""Models live here by method (editors/eedtp, editors/diffir, editors/diffuir)
with shared diffusion/, conditioning/ and losses/ packages; the plain
baselines use mmagic's BaseEditModel and backbones directly."""
