# CPU variant of x4 SR stage 2, from the CPU stage-1 checkpoint; 300
# warm-up iterations (CPEN_S2 + denoiser only), then 700 joint.
_base_ = [
    './diffir-s1_dirformer-tiny-x4_1xb4-lr1e-3-1k_t91-cpu.py',
    '../_base_/models/diffir-s2.py',
]

# the stage-1 network is the frozen teacher, initialised (with the
# stage-2 DIRformer) from the stage-1 config's last checkpoint
model = dict(_base_.diffir_s2, encoder_iter=300, s1=_base_.model.generator,
             s1_checkpoint='work_dirs/'
             'diffir-s1_dirformer-tiny-x4_1xb4-lr1e-3-1k_t91-cpu/'
             'iter_1000.pth')
