# DiffIR stage 2 for motion deblurring (GoPro): CPEN_S2 + the 4-step IPR
# diffusion replace the GT-reading CPEN_S1 (26,911,934 parameters, the
# frozen stage-1 teacher not counted). Run stage 1 first; its last
# checkpoint initialises the frozen teacher and the stage-2 DIRformer:
#   bash tools/dist_train.sh configs/diffir/<this>.py 8 \
#       --cfg-options model.s1_checkpoint=<stage-1 checkpoint>
_base_ = [
    './diffir-s1_dirformer-48_8xb8-lr2e-4-300k_gopro.py',
    '../_base_/models/diffir-s2.py',
]

# the stage-1 network is the frozen teacher, initialised (with the
# stage-2 DIRformer) from the stage-1 config's last checkpoint
model = dict(_base_.diffir_s2, s1=_base_.model.generator,
             s1_checkpoint='work_dirs/'
             'diffir-s1_dirformer-48_8xb8-lr2e-4-300k_gopro/'
             'iter_300000.pth')

max_iters = 400_000
train_cfg = dict(max_iters=max_iters)
# (stage 1's GoPro betas were (0.9, 0.999))
optim_wrapper = dict(optimizer=dict(betas=(0.9, 0.99)))
# the released deblur recipe (DiffIR_S2_model with train_DiffIRS2.yml):
# encoder warm-up at 2e-4 * 0.1^(it // 60k) for it < 100k, then
# 2e-4 * 0.5^((it - 100k) // 80k). ConstantLR scales by 0.1 on [60k, 100k]
# and restores the base LR when it ends (mmengine restores it one step
# before ``end``, hence 100_001); StepLR then halves every 80k from 100k.
# The reference's warm-up runs on its own Adam and the joint phase starts a
# fresh one: default_hooks.fresh_optimizer_after_warmup (default_runtime.py)
# clears the Adam state at iteration encoder_iter, which is the same.
param_scheduler = [
    dict(type='ConstantLR', factor=0.1, by_epoch=False, begin=60_000,
         end=100_001),
    dict(type='StepLR', step_size=80_000, gamma=0.5, by_epoch=False,
         begin=100_000),
]
# the reference evaluates an EMA of the weights (decay 0.999)
custom_hooks = [
    dict(type='EMAHook', momentum=0.001),
    dict(type='BenchmarkTableHook'),
    dict(type='BasicVisualizationHook', interval=1, on_val=False),
]
