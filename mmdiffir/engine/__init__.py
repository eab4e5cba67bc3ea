from .fast_resume_loop import FastResumeIterBasedTrainLoop
from .hooks import *  # noqa: F401,F403
from .model_wrapper import ManualGradSyncWrapper
from .optimizers import MixedPrecisionOptimWrapper, loss_scale_of

__all__ = ['FastResumeIterBasedTrainLoop', 'ManualGradSyncWrapper',
           'MixedPrecisionOptimWrapper',
           'loss_scale_of']
