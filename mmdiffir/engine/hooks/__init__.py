from .importance_hook import ImportanceEstimationHook
from .incremental_schedule_hook import IncrementalScheduleHook

__all__ = ['ImportanceEstimationHook', 'IncrementalScheduleHook']
