from .mixed_precision import MixedPrecisionOptimWrapper, loss_scale_of

__all__ = ['MixedPrecisionOptimWrapper', 'loss_scale_of']
