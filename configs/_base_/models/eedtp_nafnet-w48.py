# EEDTP on mmagic's NAFNet at the reference size (width 48, enc [2,2,4,28],
# middle 6, dec [2,2,2,2]). As in the reference, the time modulation (AdaLN)
# acts on the normalised features inside every NAFBlock (the outputs of its
# LayerNorm2d norm1/norm2), not on the residual stream; block-output
# placement is the option conditioner=dict(block_types=['NAFBlock']).
# stage='tmddp' here; the GEF configs switch it to 'gef'.
model = dict(
    type='EEDTPRestorer',
    generator=dict(
        type='NAFNet',
        img_channels=3,
        mid_channels=48,
        enc_blk_nums=[2, 2, 4, 28],
        middle_blk_num=6,
        dec_blk_nums=[2, 2, 2, 2]),
    conditioner=dict(
        type='TimeConditioner', embed_dim=64, block_types=['LayerNorm2d'],
        num_steps=50),
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
