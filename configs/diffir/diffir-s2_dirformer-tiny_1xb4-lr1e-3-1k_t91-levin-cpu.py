# CPU variant of stage 2 on the same task, from the CPU stage-1 checkpoint:
#   python tools/train.py configs/diffir/diffir-s1_dirformer-tiny_1xb4-lr1e-3-1k_t91-levin-cpu.py
#   python tools/train.py configs/diffir/<this>.py
# 300 warm-up iterations (CPEN_S2 + denoiser only), then 700 joint.
_base_ = './diffir-s1_dirformer-tiny_1xb4-lr1e-3-1k_t91-levin-cpu.py'

model = dict(
    type='DiffIRS2',
    generator=dict(
        type='DiffIRS2Net',
        cpen=dict(gt_channels=0),
        denoiser=dict(type='IPRDenoiser', ipr_dim=256, n_res=1, T=4),
        schedule=dict(type='DiffIRPriorSchedule', T=4, beta_start=0.1,
                      beta_end=0.99)),
    s1={{_base_.model.generator}},
    s1_checkpoint='work_dirs/'
    'diffir-s1_dirformer-tiny_1xb4-lr1e-3-1k_t91-levin-cpu/iter_1000.pth',
    encoder_iter=300,
    diffusion_loss=dict(type='L1Loss', loss_weight=1.0))
model_wrapper_cfg = dict(type='MMDistributedDataParallel',
                         find_unused_parameters=True)
