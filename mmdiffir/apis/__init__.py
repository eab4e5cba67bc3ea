"""Using trained models: the inferencer (its image I/O is
:mod:`mmdiffir.utils.image_file`, shared with the training hooks)."""
from .inferencer import (RestorationInferencer, config_tasks, load_model_index,
                         load_weights, resolve_config, resolve_t_mat)

__all__ = [
    'RestorationInferencer', 'config_tasks', 'load_model_index',
    'load_weights', 'resolve_config', 'resolve_t_mat'
]
