# The plain baseline of EEDTP's single-task dehazing experiment
# (../_base_/datasets/single_task_reside.py): the same NAFNet-w48, data and
# schedule as configs/eedtp/eedtp-gef_nafnet-w48_8xb2-lr5e-5-500k_reside.py,
# trained with L1 only, no time conditioning, from scratch.
#   bash tools/dist_train.sh <this config> 8
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/eedtp_gef_500k.py',
    '../_base_/datasets/single_task_reside.py',
    '../_base_/models/plain_nafnet-w48.py',
]
