# EEDTP stage 2, GEF, single task (METHODS.md §1.5, §1.7): desnowing
# (the data: ../_base_/datasets/single_task_snow100k.py). Fine-tunes the TMDDP
# checkpoint at t_mat 15 (the paper's table: snowy) with the
# DiffusionAlignLoss; Omega is estimated on 50 batches first
# (../_base_/eedtp_gef_single_task.py). The plain baseline of the same
# experiment, same network and schedule:
# configs/baselines/plain_nafnet-w48_8xb2-lr5e-5-500k_snow100k.py
#   bash tools/dist_train.sh <this config> 8
#   python tools/test.py <this config> CKPT --flip-ensemble
# (the reference's test)
_base_ = [
    '../_base_/eedtp_gef_single_task.py',
    '../_base_/datasets/single_task_snow100k.py',
]

model = dict(t_mat=15)
