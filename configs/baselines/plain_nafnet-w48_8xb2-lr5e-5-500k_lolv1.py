# The plain baseline of EEDTP's single-task experiment (low-light enhancement: trained on LOL-v1 (our485), tested on LOL-v1 (eval15) and, for generalization, LOL-v2 (real, test)):
# the same NAFNet-w48, data and schedule as
# configs/eedtp/eedtp-gef_nafnet-w48_8xb2-lr5e-5-500k_lolv1.py, trained with
# L1 only, no time conditioning, from scratch.
#   bash tools/dist_train.sh <this config> 8
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/eedtp_gef_500k.py',
    '../_base_/datasets/paired_test_sets.py',
    '../_base_/datasets/eedtp_single_task.py',
    '../_base_/models/plain_nafnet-w48.py',
]

train_dataloader = {{_base_.lol_train}}
test_dataloader = [{{_base_.lol_loader}}, {{_base_.lolv2_loader}}]
test_evaluator = [{{_base_.lol_metrics}}, {{_base_.lolv2_metrics}}]
val_dataloader = [{{_base_.lol_loader}}]
val_evaluator = [{{_base_.lol_metrics}}]
