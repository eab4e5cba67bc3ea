# DiffUIR (Zheng et al., CVPR 2024; METHODS.md §3): one UNet restores every
# task by residual diffusion, L1 on images in [-1, 1]; tested with 3
# deterministic steps (t = 999, 665, 332) from (1 - dbar_T) I_in + 0.1 eps,
# the predicted residual clamped to [-1, 1] at every step.
# It has no generator: diffuir_<backbone>.py adds one from ../backbones/.
model = dict(
    type='DiffUIR',
    # the released sampler
    schedule=dict(
        type='DiffUIRSchedule',
        T=1000,
        delta_end=1.8e-3,
        sampling_steps=3,
        start_noise=0.1,  # released value; 1.0 is the training marginal
        time_input='abar',
        # the released sampler clamps the predicted residual to [-1, 1] at
        # every step (clip_denoised=True); False is the documented option
        # for blind LOL inputs without histogram equalisation (README)
        clip_residual=True),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    train_cfg=dict(),
    test_cfg=dict(seed=0),
    data_preprocessor=dict(
        type='DataPreprocessor',
        mean=[127.5, 127.5, 127.5],
        std=[127.5, 127.5, 127.5]))
