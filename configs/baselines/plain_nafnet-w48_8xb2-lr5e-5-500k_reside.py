# The plain baseline of EEDTP's single-task experiment (dehazing: trained on RESIDE ITS, tested on SOTS (indoor) and, for generalization, the real-world REVIDE):
# the same NAFNet-w48, data and schedule as
# configs/eedtp/eedtp-gef_nafnet-w48_8xb2-lr5e-5-500k_reside.py, trained with
# L1 only, no time conditioning, from scratch.
#   bash tools/dist_train.sh <this config> 8
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/eedtp_gef_500k.py',
    '../_base_/datasets/paired_test_sets.py',
    '../_base_/datasets/eedtp_single_task.py',
    '../_base_/models/plain_nafnet-w48.py',
]

train_dataloader = {{_base_.reside_its_train}}
test_dataloader = [{{_base_.sots_indoor_loader}}, {{_base_.revide_loader}}]
test_evaluator = [{{_base_.sots_indoor_metrics}}, {{_base_.revide_metrics}}]
val_dataloader = [{{_base_.sots_indoor_loader}}]
val_evaluator = [{{_base_.sots_indoor_metrics}}]
