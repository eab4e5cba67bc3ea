# Paper-size plain NAFNet for blind colour denoising (sigma in [0, 25]).
#   bash tools/dist_train.sh <this config> 8      (8 GPUs x batch 8)
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/iter_cosine.py',
    '../_base_/datasets/denoise_synthetic_train.py',
    '../_base_/models/plain_nafnet-w32.py',
]
