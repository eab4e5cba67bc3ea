# DiffIR stage 2, the recipe a stage-2 config adds to its stage-1 config
# (which brings the data, the schedule and, as `model`, the stage-1 model):
#   _base_ = ['./<stage-1 config>.py', '../_base_/models/diffir-s2.py']
#   model = dict(_base_.diffir_s2, s1=_base_.model.generator,
#                s1_checkpoint='<stage-1 checkpoint>')
# Merged into the stage-1 model, `diffir_s2` turns its generator into the
# stage-2 network: the same DIRformer and CPEN, CPEN_S2 reading the LQ only
# (gt_channels=0), plus the 4-step IPR diffusion (denoiser and schedule).
# `s1` is the frozen stage-1 teacher, initialised with the DIRformer from
# s1_checkpoint.
diffir_s2 = dict(
    type='DiffIRS2',
    generator=dict(
        type='DiffIRS2Net',
        cpen=dict(gt_channels=0),
        denoiser=dict(type='IPRDenoiser', ipr_dim=256, n_res=1, T=4),
        schedule=dict(type='DiffIRPriorSchedule', T=4, beta_start=0.1,
                      beta_end=0.99)),
    # the reference's encoder warm-up: the first 100k iterations train only
    # CPEN_S2 + denoiser with L_diff
    encoder_iter=100_000,
    diffusion_loss=dict(type='L1Loss', loss_weight=1.0))

# the DIRformer gets no gradient during the warm-up
model_wrapper_cfg = dict(type='MMDistributedDataParallel',
                         find_unused_parameters=True)
