# EEDTP stage 1, TMDDP, at the reference's scale: diffusion denoising
# pre-training on the DFWB photos (x_t = x0 + sigmabar_t eps, t ~ U{1..50},
# L_gen only; the pipeline makes noisy inputs too, but stage 'tmddp' reads
# only the clean GT), 100k iterations, batch 2 per GPU (8 GPUs x 2 = the
# reference's 16). A leaf adds the model: ./models/eedtp_<backbone>.py.
_base_ = [
    './default_runtime.py',
    './schedules/eedtp_tmddp_100k.py',
    './datasets/denoise_synthetic_train.py',
]

train_dataloader = dict(batch_size=2)
