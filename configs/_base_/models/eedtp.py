# EEDTP's restorer (METHODS.md §1) around any backbone: the time
# conditioning attached from outside, the IR-SDE noise levels, the
# DiffusionAlignLoss. It has no generator: eedtp_<backbone>.py adds one, and
# the norms to condition, from ../backbones/<backbone>.py.
# stage='tmddp' here; the GEF and MTUL configs switch it to 'gef'.
model = dict(
    type='EEDTPRestorer',
    conditioner=dict(type='TimeConditioner', embed_dim=64, num_steps=50),
    noise_schedule=dict(
        type='EEDTPNoiseSchedule', T=50, sigma_max=10 / 255,
        schedule='linear'),
    pixel_loss=dict(
        type='DiffusionAlignLoss', fft_weight=0.1, gen_prob=0.1,
        gen_weight=1.0, orthog_weight=1.0, orthog_mode='double_backward',
        reg_weight=0.2, layer_decay=0.05),
    t_mat=4,  # METHODS.md §1.3: noisy 4
    stage='tmddp',
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))

# EEDTP makes and averages its own gradients: processes are kept in step by
# this wrapper instead of DistributedDataParallel (see its docstring).
model_wrapper_cfg = dict(type='ManualGradSyncWrapper')
