from .checkpoint_check_hook import CheckpointCompatibilityHook
from .fresh_optimizer_hook import FreshOptimizerAfterWarmupHook
from .importance_hook import ImportanceEstimationHook
from .incremental_schedule_hook import IncrementalScheduleHook
from .nonfinite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .progressive_patch_hook import ProgressivePatchHook
from .random_state_hook import RandomStateHook
from .save_restored_hook import SaveRestoredHook
from .test_progress_hook import TestProgressHook

__all__ = [
    'ImportanceEstimationHook', 'IncrementalScheduleHook', 'NonFiniteLossHook',
    'NonFiniteLossError', 'RandomStateHook', 'CheckpointCompatibilityHook',
    'SaveRestoredHook', 'FreshOptimizerAfterWarmupHook', 'ProgressivePatchHook',
    'TestProgressHook'
]
