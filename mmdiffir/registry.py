"""mmdiffir's registries: children of mmagic's (and so of mmengine's).

A ``type`` in an mmdiffir config is looked up here first and then in the
parents, so mmagic's backbones (``NAFNet``, ``Restormer``, ``SwinIRNet``),
losses, metrics and transforms are usable by name from mmdiffir configs
(``default_scope='mmdiffir'``).
"""
from mmagic import registry as mmagic_registry
from mmengine.registry import Registry


def _child(name: str, parent: Registry, location: str) -> Registry:
    return Registry(name, parent=parent, locations=[location], scope='mmdiffir')


RUNNERS = _child('runner', mmagic_registry.RUNNERS, 'mmdiffir.engine')
RUNNER_CONSTRUCTORS = _child('runner constructor',
                             mmagic_registry.RUNNER_CONSTRUCTORS,
                             'mmdiffir.engine')
LOOPS = _child('loop', mmagic_registry.LOOPS, 'mmdiffir.engine')
HOOKS = _child('hook', mmagic_registry.HOOKS, 'mmdiffir.engine')
LOG_PROCESSORS = _child('log processor', mmagic_registry.LOG_PROCESSORS,
                        'mmdiffir.engine')
OPTIMIZERS = _child('optimizer', mmagic_registry.OPTIMIZERS, 'mmdiffir.engine')
OPTIM_WRAPPERS = _child('optim wrapper', mmagic_registry.OPTIM_WRAPPERS,
                        'mmdiffir.engine')
OPTIM_WRAPPER_CONSTRUCTORS = _child(
    'optimizer wrapper constructor',
    mmagic_registry.OPTIM_WRAPPER_CONSTRUCTORS, 'mmdiffir.engine')
PARAM_SCHEDULERS = _child('parameter scheduler',
                          mmagic_registry.PARAM_SCHEDULERS, 'mmdiffir.engine')

DATASETS = _child('dataset', mmagic_registry.DATASETS, 'mmdiffir.datasets')
DATA_SAMPLERS = _child('data sampler', mmagic_registry.DATA_SAMPLERS,
                       'mmdiffir.datasets')
TRANSFORMS = _child('transform', mmagic_registry.TRANSFORMS,
                    'mmdiffir.datasets.transforms')

MODELS = _child('model', mmagic_registry.MODELS, 'mmdiffir.models')
MODEL_WRAPPERS = _child('model_wrapper', mmagic_registry.MODEL_WRAPPERS,
                        'mmdiffir.models')
WEIGHT_INITIALIZERS = _child('weight initializer',
                             mmagic_registry.WEIGHT_INITIALIZERS,
                             'mmdiffir.models')
TASK_UTILS = _child('task util', mmagic_registry.TASK_UTILS, 'mmdiffir.models')
DIFFUSION_SCHEDULERS = _child('diffusion scheduler',
                              mmagic_registry.DIFFUSION_SCHEDULERS,
                              'mmdiffir.models')

METRICS = _child('metric', mmagic_registry.METRICS, 'mmdiffir.evaluation')
EVALUATORS = _child('evaluator', mmagic_registry.EVALUATORS,
                    'mmdiffir.evaluation')

VISUALIZERS = _child('visualizer', mmagic_registry.VISUALIZERS,
                     'mmdiffir.engine')
VISBACKENDS = _child('vis_backend', mmagic_registry.VISBACKENDS,
                     'mmdiffir.engine')
