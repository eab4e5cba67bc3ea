from .importance_hook import ImportanceEstimationHook

__all__ = ['ImportanceEstimationHook']
