# The plain baseline of EEDTP's single-task experiment (deraining: trained on Rain100L (RainTrainL), tested on Rain100L and, for generalization, Rain100H):
# the same NAFNet-w48, data and schedule as
# configs/eedtp/eedtp-gef_nafnet-w48_8xb2-lr5e-5-500k_rain100l.py, trained with
# L1 only, no time conditioning, from scratch.
#   bash tools/dist_train.sh <this config> 8
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/eedtp_gef_500k.py',
    '../_base_/datasets/paired_test_sets.py',
    '../_base_/datasets/eedtp_single_task.py',
    '../_base_/models/plain_nafnet-w48.py',
]

train_dataloader = {{_base_.rain100l_train}}
test_dataloader = [{{_base_.rain100l_loader}}, {{_base_.rain100h_loader}}]
test_evaluator = [{{_base_.rain100l_metrics}}, {{_base_.rain100h_metrics}}]
val_dataloader = [{{_base_.rain100l_loader}}]
val_evaluator = [{{_base_.rain100l_metrics}}]
