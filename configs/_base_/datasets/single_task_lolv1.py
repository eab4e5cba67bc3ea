# EEDTP's single-task low-light experiment (METHODS.md §1.7): trained on
# LOL-v1 (our485), tested on LOL-v1 (eval15) and, for generalization, LOL-v2
# (real, test).
# Validated on the first test set. Both arms of the experiment use it:
# configs/eedtp/eedtp-gef_nafnet-w48_*_lolv1.py and its plain baseline.
_base_ = './eedtp_single_task.py'

train_dataloader = _base_.lol_train
test_dataloader = [_base_.lol_loader, _base_.lolv2_loader]
test_evaluator = [_base_.lol_metrics, _base_.lolv2_metrics]
val_dataloader, val_evaluator = test_dataloader[:1], test_evaluator[:1]
