# EEDTP's single-task deraining experiment (METHODS.md §1.7): trained on
# Rain100L (RainTrainL), tested on Rain100L and, for generalization,
# Rain100H.
# Validated on the first test set. Both arms of the experiment use it:
# configs/eedtp/eedtp-gef_nafnet-w48_*_rain100l.py and its plain baseline.
_base_ = './eedtp_single_task.py'

train_dataloader = _base_.rain100l_train
test_dataloader = [_base_.rain100l_loader, _base_.rain100h_loader]
test_evaluator = [_base_.rain100l_metrics, _base_.rain100h_metrics]
val_dataloader, val_evaluator = test_dataloader[:1], test_evaluator[:1]
