# EEDTP's single-task dehazing experiment (METHODS.md §1.7): trained on
# RESIDE ITS, tested on SOTS (indoor) and, for generalization, the
# real-world REVIDE.
# Validated on the first test set. Both arms of the experiment use it:
# configs/eedtp/eedtp-gef_nafnet-w48_*_reside.py and its plain baseline.
_base_ = './eedtp_single_task.py'

train_dataloader = _base_.reside_its_train
test_dataloader = [_base_.sots_indoor_loader, _base_.revide_loader]
test_evaluator = [_base_.sots_indoor_metrics, _base_.revide_metrics]
val_dataloader, val_evaluator = test_dataloader[:1], test_evaluator[:1]
