# The 10-task all-in-one setting in its published layout (see
# all_in_one_published.py): training tasks mixed by MultiTaskSampler (no
# stages; MTUL configs set train_dataloader.sampler.stage_iters), one test
# table row per benchmark plus the average.
_base_ = './all_in_one_published.py'

train_dataloader = _base_.train_10task
test_dataloader = _base_.test_10task
test_evaluator = _base_.metrics_10task
val_dataloader, val_evaluator = test_dataloader, test_evaluator
