# DiffIR stage 2 for inpainting (layout of the published model):
#   bash tools/dist_train.sh configs/diffir/<this>.py 8 \
#       --cfg-options model.s1_checkpoint=<stage-1 checkpoint>
_base_ = './diffir-s1_dirformer-52_8xb8-lr2e-4-300k_places-inpainting.py'

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
    'diffir-s1_dirformer-52_8xb8-lr2e-4-300k_places-inpainting/'
    'iter_300000.pth',
    encoder_iter=100_000,
    diffusion_loss=dict(type='L1Loss', loss_weight=1.0))
model_wrapper_cfg = dict(type='MMDistributedDataParallel',
                         find_unused_parameters=True)
max_iters = 400_000
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(T_max=max_iters)
