# The plain baseline of EEDTP's single-task experiment (desnowing: trained on Snow100K, tested on Snow100K-L and, for generalization, the real-world RealSnow):
# the same NAFNet-w48, data and schedule as
# configs/eedtp/eedtp-gef_nafnet-w48_8xb2-lr5e-5-500k_snow100k.py, trained with
# L1 only, no time conditioning, from scratch.
#   bash tools/dist_train.sh <this config> 8
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/eedtp_gef_500k.py',
    '../_base_/datasets/paired_test_sets.py',
    '../_base_/datasets/eedtp_single_task.py',
    '../_base_/models/plain_nafnet-w48.py',
]

train_dataloader = {{_base_.snow100k_train}}
test_dataloader = [{{_base_.snow100k_loader}}, {{_base_.realsnow_loader}}]
test_evaluator = [{{_base_.snow100k_metrics}}, {{_base_.realsnow_metrics}}]
val_dataloader = [{{_base_.snow100k_loader}}]
val_evaluator = [{{_base_.snow100k_metrics}}]
