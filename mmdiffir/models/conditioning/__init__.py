"""Conditioning attached to any backbone from outside through hooks (never by
editing the backbone): time conditioning (and the TaskAdapter)."""
from .hook_utils import (default_example_input, probe_output_shapes,
                         select_modules)
from .task_adapter import MoEAdapter, TaskAdapter
from .time_conditioning import TimeConditioner, sinusoidal_embedding

__all__ = [
    'TimeConditioner', 'sinusoidal_embedding', 'select_modules',
    'probe_output_shapes', 'default_example_input', 'TaskAdapter',
    'MoEAdapter'
]
