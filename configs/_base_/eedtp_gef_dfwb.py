# EEDTP stage 2, GEF, for blind denoising (sigma in [0, 25], t_mat 4) on the
# DFWB photos, fine-tuning a TMDDP checkpoint (eedtp_tmddp_dfwb.py) with the
# DiffusionAlignLoss; Omega is estimated on 50 batches before training (L_reg
# needs it: a GEF model refuses to train without the hook). 500k
# iterations, batch 2 per GPU. A leaf adds the model
# (./models/eedtp_<backbone>.py), stage='gef' and the checkpoint.
_base_ = [
    './default_runtime.py',
    './schedules/eedtp_gef_500k.py',
    './datasets/denoise_synthetic_train.py',
]

train_dataloader = dict(batch_size=2)
custom_hooks = [dict(type='ImportanceEstimationHook', num_batches=50),
                *_base_.benchmark_hooks]
