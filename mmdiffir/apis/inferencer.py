"""Restore images with a trained model: config (or model-index name) +
checkpoint in, restored arrays / files out.

mmagic ships an ``Inferencer`` family too; it is not used here because it
builds the model through mmagic's own registry scope (mmdiffir's models,
hooks and the safe checkpoint loader are not in it), knows nothing of
EEDTP's per-task ``t_mat``, and has no tiling or bit-depth handling.

    from mmdiffir.apis import RestorationInferencer
    inf = RestorationInferencer('configs/eedtp/<mtul config>.py', 'iter_1000.pth',
                                task='rain', tile=512)
    restored = inf('photo.png')                 # float32 (H, W, 3) RGB 0-255
    inf.restore_files(['a.png', 'b.tif'], 'out/')
"""
import contextlib
import copy
import logging
import os
import os.path as osp
import re
import warnings
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import yaml
from mmengine.config import Config

from mmdiffir.models.inference_utils import (padded_forward, report_passes,
                                             tile_flip_forward)
from mmdiffir.utils.image_file import (LoadedImage, read_image,
                                       to_output_array, write_image)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# ----------------------------------------------------------- configs
def find_model_index(start: Optional[str] = None) -> str:
    """model-index.yml of the repository (``$MMDIFFIR_ROOT``, the current
    folder, or the checkout this package lives in)."""
    candidates = [os.environ.get('MMDIFFIR_ROOT'), start, os.getcwd(),
                  REPO_ROOT]
    for root in candidates:
        if root and osp.isfile(osp.join(root, 'model-index.yml')):
            return osp.join(root, 'model-index.yml')
    raise FileNotFoundError('model-index.yml not found (looked in '
                            '$MMDIFFIR_ROOT, the current folder and '
                            f'{REPO_ROOT}); pass a config file instead')


def load_model_index(path: Optional[str] = None,
                     strict: bool = False) -> List[dict]:
    """Every ``Models`` entry of model-index.yml and the metafiles it
    imports, each with its ``Collection`` README resolved. A missing
    metafile raises FileNotFoundError with ``strict``, else it is skipped
    with a warning (a method folder may be added before its metafile)."""
    path = path or find_model_index()
    root = osp.dirname(path)
    with open(path) as f:
        index = yaml.safe_load(f) or {}
    models = []
    for rel in index.get('Import', []):
        meta_path = osp.join(root, rel)
        if not osp.isfile(meta_path):
            msg = f'{path} imports {rel}, which does not exist'
            if strict:
                raise FileNotFoundError(msg)
            warnings.warn(msg + '; skipped')
            continue
        with open(meta_path) as f:
            meta = yaml.safe_load(f) or {}
        readmes = {c['Name']: c.get('README')
                   for c in meta.get('Collections', []) or []}
        for m in meta.get('Models', []) or []:
            m = dict(m)
            m.setdefault('README', readmes.get(m.get('In Collection')))
            m['_metafile'] = rel
            models.append(m)
    return models


def resolve_config(model: Union[str, Config]) -> Config:
    """A Config from a config path, a Config, or a model-index.yml name."""
    if isinstance(model, Config):
        return copy.deepcopy(model)
    if osp.isfile(model):
        return Config.fromfile(model)
    if model.endswith('.py'):
        raise FileNotFoundError(f'config file not found: {model}')
    index_path = find_model_index()
    entries = {m['Name']: m for m in load_model_index(index_path)}
    if model not in entries:
        close = [n for n in entries if model.lower() in n.lower()][:5]
        hint = f' Close names: {close}.' if close else ''
        raise KeyError(f'"{model}" is neither a config file nor a model '
                       f'name in {index_path}.{hint}')
    cfg_path = osp.join(osp.dirname(index_path), entries[model]['Config'])
    if not osp.isfile(cfg_path):
        raise FileNotFoundError(f'model {model}: its config {cfg_path} '
                                'does not exist')
    return Config.fromfile(cfg_path)


def config_tasks(cfg: Config,
                 loaders: Sequence[str] = ('test_dataloader', 'val_dataloader',
                                           'train_dataloader')
                 ) -> Dict[str, int]:
    """Task name -> t_mat of every task-tagged dataset the config declares
    (its MultiTaskDataset tasks) in ``loaders``."""
    from mmdiffir.datasets.multi_task_dataset import task_t_mat
    tasks: Dict[str, int] = {}

    def visit(node):
        if isinstance(node, dict):
            if node.get('type') == 'MultiTaskDataset':
                for task in node.get('tasks', []):
                    tasks.setdefault(str(task['name']), int(task_t_mat(task)))
            for v in node.values():
                visit(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                visit(v)

    for key in loaders:
        visit(cfg.get(key))
    return tasks


def trained_tasks(meta: Optional[dict], cfg: Config) -> Dict[str, int]:
    """Task name -> t_mat of the tasks a checkpoint was trained on: those
    of the training config mmengine stores in every checkpoint it writes
    (``meta['cfg']``), else (a bare state_dict) those of ``cfg``'s
    train_dataloader."""
    text = (meta or {}).get('cfg')
    if isinstance(text, str) and 'train_dataloader' in text:
        try:
            return config_tasks(Config.fromstring(text, '.py'),
                                ('train_dataloader',))
        except Exception as err:  # noqa: BLE001 (an unparsable old config)
            warnings.warn(f'cannot read the training config stored in the '
                          f'checkpoint ({type(err).__name__}: {err}); using '
                          "the given config's training tasks")
    return config_tasks(cfg, ('train_dataloader',))


def resolve_t_mat(task: Union[str, int, None], t_mat: Optional[int],
                  cfg_tasks: Dict[str, int], num_steps: int) -> Optional[int]:
    """The t_mat to restore at: ``t_mat`` if given, else the ``task``'s
    (the config's own task names first, then the t_mat table's names,
    :mod:`mmdiffir.t_mat`), else None.

    Raises:
        ValueError: both given and disagreeing, unknown task (the message
            lists the known ones), or t_mat outside 0..num_steps.
    """
    from mmdiffir.t_mat import T_MAT
    from_task = None
    if task is not None:
        if isinstance(task, int) or re.fullmatch(r'\d+', str(task)):
            from_task = int(task)
        else:
            name = str(task)
            if name in cfg_tasks:
                from_task = cfg_tasks[name]
            elif name in T_MAT:
                from_task = T_MAT[name]
            else:
                known = list(cfg_tasks) + [n for n in T_MAT
                                           if n not in cfg_tasks]
                raise ValueError(f'unknown task "{task}"; known tasks: '
                                 f'{", ".join(known)} (or pass t_mat)')
    if t_mat is not None and from_task is not None and t_mat != from_task:
        raise ValueError(f'task "{task}" has t_mat {from_task}, but t_mat='
                         f'{t_mat} was also given')
    value = t_mat if t_mat is not None else from_task
    if value is not None and not 0 <= int(value) <= num_steps:
        raise ValueError(f't_mat must lie in 0..{num_steps}, got {value}')
    return None if value is None else int(value)


# ----------------------------------------------------------- model
def load_weights(model: torch.nn.Module, checkpoint: str) -> dict:
    """Load a checkpoint's ``state_dict`` (mmengine's or a bare one) via
    :func:`safe_torch_load`; errors name the file and the mismatched keys.
    Returns the checkpoint's ``meta`` ({} when it has none)."""
    from mmdiffir.utils.checkpoint import (checkpoint_state_dict,
                                           missing_parameters,
                                           safe_torch_load)
    ckpt = safe_torch_load(checkpoint, map_location='cpu')
    state = checkpoint_state_dict(ckpt, checkpoint)
    missing, unexpected = model.load_state_dict(state, strict=False)
    # A missing buffer is training state added after the checkpoint was
    # written (e.g. RNG seeds, EEDTP's anchor); inference does not read it.
    # A missing parameter would leave random weights: an error.
    params = set(missing_parameters(model, state))
    buffers = [k for k in missing if k not in params]
    if buffers:
        warnings.warn(f'checkpoint {checkpoint} lacks buffers {buffers[:8]}; '
                      'they keep their initial values (training state, not '
                      'used for inference)')
    missing = [k for k in missing if k in params]
    if missing or unexpected:
        raise RuntimeError(
            f'checkpoint {checkpoint} does not fit the config\'s model '
            f'({type(model).__name__}): missing keys {missing[:8]}'
            f'{" ..." if len(missing) > 8 else ""}, unexpected keys '
            f'{unexpected[:8]}{" ..." if len(unexpected) > 8 else ""}')
    meta = ckpt.get('meta') if isinstance(ckpt, dict) else None
    return meta if isinstance(meta, dict) else {}


class _MissingGTFilter(logging.Filter):
    """Drops mmagic's "Cannot find key 'gt_img' in data sample." (its
    preprocessor looks for the GT of every sample; inference has none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Cannot find key 'gt_img'" not in str(record.msg)


@contextlib.contextmanager
def _without_missing_gt_warning():
    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    drop = _MissingGTFilter()
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


def default_device() -> str:
    return 'cuda' if torch.cuda.is_available() else 'cpu'


class RestorationInferencer:
    """Restore images with any mmdiffir / mmagic restorer.

    Args:
        model (str | Config): config file, Config, or a model name from
            model-index.yml (its ``Config`` is used).
        checkpoint (str, optional): weights (``tools/train.py`` output).
            None keeps the freshly initialised weights (tests, FLOPs).
        device (str, optional): 'cpu', 'cuda', 'cuda:1'; default: the GPU
            when there is one, else the CPU.
        task (str | int, optional): EEDTP only: the task to restore (a name
            of the config's tasks such as ``'Rain100L'``, or of the t_mat
            table, :mod:`mmdiffir.t_mat`, such as ``'rain'``); sets t_mat.
        t_mat (int, optional): EEDTP only: the time step itself.
        tile (int, optional): tile side; images larger than it in either
            dimension are restored tile by tile. Default: the config's
            ``model.test_cfg.tile`` (None: never tile).
        tile_overlap (int): overlap of neighbouring tiles (default: the
            config's ``tile_overlap`` or 32). Tiled output equals untiled
            output where ``tile_overlap // 2`` covers the network's
            receptive field and the network has no global operation.
        flip (int): flip/transpose self-ensemble size (1, 2, 4, 8); default
            the config's ``test_cfg.flip_ensemble`` or 1.
        seed (int, optional): seeds torch's RNG before each image, for
            models that sample noise at test time (DiffIR S2).
        allow_untrained_t_mat (bool): a multi-task model refuses tasks and
            t_mats it was not trained on (:func:`trained_tasks`); with this,
            an explicit ``t_mat`` outside them is accepted.
        cfg_options (dict, optional): config overrides (as --cfg-options).
    """

    def __init__(self,
                 model: Union[str, Config],
                 checkpoint: Optional[str] = None,
                 device: Optional[str] = None,
                 task: Union[str, int, None] = None,
                 t_mat: Optional[int] = None,
                 tile: Optional[int] = None,
                 tile_overlap: Optional[int] = None,
                 flip: Optional[int] = None,
                 seed: Optional[int] = None,
                 cfg_options: Optional[dict] = None,
                 allow_untrained_t_mat: bool = False):
        from mmdiffir.registry import MODELS
        from mmdiffir.utils import register_all_modules
        register_all_modules()
        self.cfg = resolve_config(model)
        if cfg_options:
            self.cfg.merge_from_dict(cfg_options)
        if 'model' not in self.cfg:
            raise KeyError('the config has no `model` entry')
        model_cfg = copy.deepcopy(self.cfg.model)
        # Weights come from `checkpoint`: no pre-trained init is loaded.
        model_cfg.pop('init_cfg', None)
        # The model applies tiling and the flip ensemble from its test_cfg
        # (TileFlipMixin); this inferencer's options replace the config's.
        self._config_test_cfg = dict(model_cfg.get('test_cfg') or {})
        cfg_tile = self._config_test_cfg.get('tile')
        cfg_overlap = self._config_test_cfg.get('tile_overlap')
        cfg_flip = self._config_test_cfg.get('flip_ensemble')
        self.model = MODELS.build(model_cfg)
        meta = load_weights(self.model, checkpoint) \
            if checkpoint is not None else None
        self.checkpoint = checkpoint
        self.device = torch.device(device or default_device())
        self.model.to(self.device).eval()
        self.tile = tile if tile is not None else cfg_tile
        self.tile_overlap = tile_overlap if tile_overlap is not None else (
            cfg_overlap if cfg_overlap is not None else 32)
        self.flip = flip if flip is not None else (cfg_flip or 1)
        if self.flip not in (1, 2, 4, 8):
            raise ValueError(f'flip must be 1, 2, 4 or 8, got {self.flip}')
        if self.tile is not None and self.tile_overlap >= self.tile:
            raise ValueError(f'tile_overlap ({self.tile_overlap}) must be '
                             f'smaller than tile ({self.tile})')
        self.seed = seed
        self.tasks = config_tasks(self.cfg)
        self.trained = trained_tasks(meta, self.cfg)
        self.allow_untrained_t_mat = allow_untrained_t_mat
        self.t_mat = self._choose_t_mat(task, t_mat)

    # ------------------------------------------------------------ set-up
    @property
    def has_t_mat(self) -> bool:
        """The model restores at a time step (EEDTP)."""
        return hasattr(self.model, 't_mat') and hasattr(self.model,
                                                        'conditioner')

    def _choose_t_mat(self, task, t_mat) -> Optional[int]:
        if not self.has_t_mat:
            if task is not None or t_mat is not None:
                raise ValueError(
                    f'{type(self.model).__name__} has no task time step; '
                    '`task` / `t_mat` apply to EEDTP models only')
            return None
        value = resolve_t_mat(task, t_mat, {**self.tasks, **self.trained},
                              self.model.schedule.T)
        multi = len(set(self.trained.values())) > 1
        if value is not None and multi and \
                value not in self.trained.values():
            valid = ', '.join(f'{k} (t_mat {v})'
                              for k, v in self.trained.items())
            if task is not None:
                raise ValueError(
                    f'task "{task}" (t_mat {value}) is not one this '
                    f'multi-task model was trained on; trained tasks: '
                    f'{valid}')
            if not self.allow_untrained_t_mat:
                raise ValueError(
                    f't_mat {value} is not a step this multi-task model was '
                    f'trained on ({valid}); pass allow_untrained_t_mat=True '
                    '(--allow-untrained-t-mat) to restore at it anyway')
        if value is not None:
            return value
        if multi or len(set(self.tasks.values())) > 1 or \
                self.model.t_mat is None:
            # A multi-task model run at a default step would silently apply
            # the wrong task's conditioning and routing.
            raise ValueError(
                'this is a multi-task EEDTP model: choose the task with '
                '`task` (one of ' + ', '.join(
                    f'{k} (t_mat {v})' for k, v in (
                        self.trained or self.tasks).items()) +
                ') or `t_mat`')
        return int(self.model.t_mat)

    # ------------------------------------------------------------ tensors
    def _set_test_cfg(self, tile: Optional[int], flip: int) -> dict:
        """The config's test_cfg with these tile / flip options, set on the
        model (whose forward_tensor applies them) and returned."""
        cfg = dict(self._config_test_cfg, tile=tile,
                   tile_overlap=self.tile_overlap, flip_ensemble=flip)
        self.model.test_cfg = cfg
        return cfg

    def _model_forward(self, samples, tile: Optional[int], flip: int
                       ) -> Callable[[torch.Tensor], torch.Tensor]:
        """x (preprocessed) -> the model's own test pass on it (mode
        'tensor', as val/test run it) with ``tile`` / ``flip``. A model
        that does not read them from test_cfg (e.g. mmagic's BaseEditModel)
        gets the same helper around its pass."""
        cfg = self._set_test_cfg(tile, flip)

        def forward(x):
            return self.model(x, samples, mode='tensor')
        if getattr(self.model, 'reads_test_cfg_flip_ensemble', False):
            return forward
        pre = self.model.data_preprocessor
        return lambda x: tile_flip_forward(
            forward, x, cfg, getattr(pre, 'pad_size_divisor', 1),
            getattr(pre, 'pad_value', 0))

    def _samples(self, n: int) -> list:
        """n DataSamples as the configs' test pipelines pack an image
        (LoadImageFromFile(channel_order='rgb') + PackInputs), plus the
        t_mat to restore at (EEDTP)."""
        from mmagic.structures import DataSample
        meta = dict(img_channel_order='rgb', img_color_type='color')
        if self.t_mat is not None:
            meta['t_mat'] = self.t_mat
        return [DataSample(metainfo=meta) for _ in range(n)]

    def preprocess(self, rgb: torch.Tensor) -> dict:
        """rgb (B, 3, H, W) float in [0, 255] -> ``{'inputs', 'data_samples'}``
        from the model's own data preprocessor (normalised, padded; the
        samples keep the padding for ``destruct``), as in val/test."""
        data = dict(inputs=list(rgb.to(torch.float32)),
                    data_samples=self._samples(rgb.shape[0]))
        with _without_missing_gt_warning():
            return self.model.data_preprocessor(data, False)

    def network_forward(self) -> Callable[[torch.Tensor], torch.Tensor]:
        """x (B, 3, H, W) normalised like training -> the model's test pass
        (same normalisation), at this inferencer's t_mat, without tiling /
        flips: one network pass (x padded to the preprocessor's divisor as
        it pads whole images)."""
        from mmagic.structures import DataSample
        samples = None
        if self.t_mat is not None:
            samples = DataSample(metainfo=dict(t_mat=self.t_mat))
        pre = self.model.data_preprocessor

        def forward(x):
            return padded_forward(self._model_forward(samples, None, 1),
                                  int(getattr(pre, 'pad_size_divisor', 1)),
                                  float(getattr(pre, 'pad_value', 0)))(x)
        return forward

    # Show a progress bar over the tiles of a tiled image (set by the CLI).
    tile_progress = False

    def _progress(self, h: int, w: int):
        """A context in which the model's passes (tiles times the flip
        ensemble) advance a tqdm bar, when a tiled image shows progress."""
        if not (self.tile_progress and self.tile and
                (h > self.tile or w > self.tile)):
            return contextlib.nullcontext()
        from tqdm import tqdm
        bar = []

        def update(done: int, total: int):
            if not bar:
                bar.append(tqdm(total=total, desc='tiles', unit='tile',
                                leave=False, mininterval=0))
            bar[0].update(1)
            if done >= total:
                bar[0].close()
        return report_passes(update)

    @torch.no_grad()
    def restore_tensor(self, rgb: torch.Tensor) -> torch.Tensor:
        """rgb (B, 3, H, W) float in [0, 255] -> restored, same range,
        clipped: the model's own preprocessor, test pass (with tiling and
        flip ensemble as configured) and ``destruct``, as ``tools/test.py``
        restores."""
        data = self.preprocess(rgb.to(self.device))
        samples = data['data_samples']
        forward = self._model_forward(samples, self.tile, self.flip)
        if self.seed is not None:
            torch.manual_seed(self.seed)
        with self._progress(*data['inputs'].shape[-2:]):
            y = forward(data['inputs'])
        # destruct un-pads, denormalises, clips and (for 'rgb' samples)
        # returns BGR, the order mmagic writes with cv2: back to RGB
        return self.model.data_preprocessor.destruct(y, samples)[:, [2, 1, 0]]

    def restore_array(self, rgb: np.ndarray) -> np.ndarray:
        """RGB float/uint8 (H, W, 3) in [0, 255] -> restored float32 (H, W,
        3) in [0, 255] (clipped)."""
        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError(f'expected an (H, W, 3) RGB array, got shape '
                             f'{rgb.shape}')
        x = torch.from_numpy(np.ascontiguousarray(rgb, np.float32))
        y = self.restore_tensor(x.permute(2, 0, 1)[None])
        return y[0].permute(1, 2, 0).clamp(0, 255).cpu().numpy()

    # ------------------------------------------------------------ files
    def restore_image(self, image: Union[str, LoadedImage]) -> np.ndarray:
        """A file (or a loaded image) -> the array to write: same bit depth
        and channels as the input (grey stays grey, alpha passes through)."""
        img = read_image(image) if isinstance(image, str) else image
        return to_output_array(self.restore_array(img.rgb), img)

    def __call__(self, inputs: Union[str, np.ndarray, Sequence]):
        """One path / RGB array -> restored float32 RGB (H, W, 3) in
        [0, 255]; a list -> a list; a folder -> {file: array}."""
        from mmdiffir.utils.image_file import list_inputs
        if isinstance(inputs, np.ndarray):
            return self.restore_array(inputs)
        if isinstance(inputs, (list, tuple)):
            return [self(i) for i in inputs]
        if osp.isdir(inputs):
            return {p: self(p) for p in list_inputs(inputs)}
        return self.restore_array(read_image(inputs).rgb)

    def restore_files(self, paths: Sequence[str], out_dir: str,
                      names: Optional[Sequence[str]] = None,
                      progress: bool = False) -> Dict[str, str]:
        """Restore every path into ``out_dir`` (under ``names`` or the base
        names). A file that fails (unreadable, truncated, a restore error,
        unwritable) is skipped and returned as {path: why}; the others are
        restored and written."""
        names = names or [osp.basename(p) for p in paths]
        failed = {}
        it = zip(paths, names)
        bar = None
        if progress:
            from tqdm import tqdm
            it = bar = tqdm(list(it), desc='restoring', unit='img')
        for path, name in it:
            try:
                img = read_image(path)
                write_image(osp.join(out_dir, name), self.restore_image(img))
            except (OSError, ValueError, RuntimeError) as err:
                # one bad file must not abort a folder run halfway
                failed[path] = f'{type(err).__name__}: {err}'
                if bar is not None:
                    bar.write(f'skipped {path}: {err}')
        return failed
