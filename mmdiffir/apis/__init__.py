"""Using trained models: the inferencer and its image I/O."""
from .image_io import (IMAGE_EXTENSIONS, UnreadableImageError, list_inputs,
                       read_image, to_output_array, write_image)
from .inferencer import (RestorationInferencer, config_tasks, load_model_index,
                         load_weights, resolve_config, resolve_t_mat)

__all__ = [
    'RestorationInferencer', 'config_tasks', 'load_model_index',
    'load_weights', 'resolve_config', 'resolve_t_mat', 'IMAGE_EXTENSIONS',
    'UnreadableImageError', 'list_inputs', 'read_image', 'to_output_array',
    'write_image'
]
