# EEDTP's single-task desnowing experiment (METHODS.md §1.7): trained on
# Snow100K, tested on Snow100K-L and, for generalization, the real-world
# RealSnow.
# Validated on the first test set. Both arms of the experiment use it:
# configs/eedtp/eedtp-gef_nafnet-w48_*_snow100k.py and its plain baseline.
_base_ = './eedtp_single_task.py'

train_dataloader = _base_.snow100k_train
test_dataloader = [_base_.snow100k_loader, _base_.realsnow_loader]
test_evaluator = [_base_.snow100k_metrics, _base_.realsnow_metrics]
val_dataloader, val_evaluator = test_dataloader[:1], test_evaluator[:1]
