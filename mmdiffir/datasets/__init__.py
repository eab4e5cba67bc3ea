from .clean_image_dataset import (CleanImageDataset, EmbeddedPhotoDataset,
                                  skimage_data_dir)
from .paired_image_dataset import (GoProDataset, LOLDataset,
                                   PairedImageDataset, Rain100Dataset,
                                   RealSnowDataset, REVIDEDataset,
                                   Snow100KDataset, SOTSDataset, list_images)
from .keyed_draws import (DrawIndex, KeyedInfiniteSampler,
                          seeded_by_draw)
from .multi_task_dataset import MultiTaskDataset
from .multi_task_sampler import MultiTaskSampler
from .transforms import *  # noqa: F401,F403

__all__ = [
    'PairedImageDataset', 'Rain100Dataset', 'SOTSDataset', 'LOLDataset',
    'GoProDataset', 'Snow100KDataset', 'RealSnowDataset', 'REVIDEDataset', 'CleanImageDataset',
    'EmbeddedPhotoDataset', 'skimage_data_dir', 'list_images',
    'MultiTaskDataset', 'MultiTaskSampler', 'DrawIndex',
    'KeyedInfiniteSampler', 'seeded_by_draw'
]
