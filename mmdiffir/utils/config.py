"""Config preparation shared by tools/train.py and tools/test.py."""
import os
import os.path as osp
import warnings
from typing import List, Tuple

import torch
from mmengine.config import Config, DictAction  # noqa: F401 (re-exported)

# Top-level keys mmengine's Runner.from_cfg reads (its __init__ arguments)
# plus those mmengine / mmagic / mmdiffir read elsewhere. Other top-level
# names are a config's own helper variables (data_root, train_pipeline...)
# and cannot be checked, except when they are one typo away from these.
RUNNER_KEYS = (
    'model', 'work_dir', 'train_dataloader', 'val_dataloader',
    'test_dataloader', 'train_cfg', 'val_cfg', 'test_cfg', 'auto_scale_lr',
    'optim_wrapper', 'param_scheduler', 'val_evaluator', 'test_evaluator',
    'default_hooks', 'custom_hooks', 'data_preprocessor', 'load_from',
    'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level',
    'visualizer', 'default_scope', 'randomness', 'experiment_name',
    'model_wrapper_cfg', 'compile', 'vis_backends', 'save_dir')


def add_common_args(parser):
    """The flags every OpenMMLab tool has."""
    parser.add_argument('config', help='config file path')
    parser.add_argument('--work-dir', help='directory for logs and checkpoints')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. "train_cfg.max_iters=100" or '
        '"test_dataloader.0.dataset.data_root=../shared/data/denoise"')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm',
                                               'mpi'], default='none',
                        help='job launcher (tools/dist_*.sh use pytorch)')
    # torchrun passes --local-rank (older launchers --local_rank)
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser


def parse_runner_args(parser, argv=None):
    """Parse the arguments of a tool that starts a Runner (tools/train.py,
    tools/test.py): adds ``--verbose`` (see utils/console.py) and exports
    ``--local-rank`` as ``LOCAL_RANK``, where mmengine's ``init_dist`` reads
    it when an older launcher passed only the flag."""
    parser.add_argument('--verbose', action='store_true',
                        help='also print the environment and config dump '
                        '(always in the log file)')
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def load_config(args) -> Config:
    """Read the config, apply --cfg-options, --work-dir and --launcher, and
    switch the distributed backend to gloo when no GPU is present."""
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'config file not found: {args.config}')
    cfg = Config.fromfile(args.config)
    check_top_level_keys(cfg, args.config)
    if args.cfg_options:
        check_option_types(cfg, args.cfg_options)
        old_iters = (cfg.get('train_cfg') or {}).get('max_iters')
        cfg.merge_from_dict(args.cfg_options)
        warn_schedule_length(cfg, old_iters, args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.launcher != 'none' and not torch.cuda.is_available():
        use_cpu_distributed(cfg)
    return cfg


def check_top_level_keys(cfg: Config, source: str) -> None:
    """A misspelt Runner key (``trian_cfg``) is an error naming the closest
    valid key: mmengine ignores unknown top-level keys, so the run would
    silently use the base config's ``train_cfg``."""
    import difflib
    for key in cfg.keys():
        if key in RUNNER_KEYS or key.startswith('_'):
            continue
        close = difflib.get_close_matches(key, RUNNER_KEYS, n=1, cutoff=0.8)
        if close:
            raise KeyError(f'{source}: unknown top-level key "{key}"; did you '
                           f'mean "{close[0]}"?')


def _lookup(cfg, dotted: str):
    """(True, value) of a dotted --cfg-options key (list items by index) in
    ``cfg``, or (False, None) when it is not there yet."""
    node = cfg._cfg_dict if isinstance(cfg, Config) else cfg
    for part in dotted.split('.'):
        if isinstance(node, (list, tuple)) and part.isdigit() and \
                int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False, None
    return True, node


def _fits(old, new) -> bool:
    if old is None or new is None:
        return True  # unset before, or switched off (val_cfg=None)
    if isinstance(old, bool) or isinstance(new, bool):
        return isinstance(old, bool) and isinstance(new, bool)
    if isinstance(old, int):
        return isinstance(new, int)
    if isinstance(old, float):
        return isinstance(new, (int, float))
    if isinstance(old, (list, tuple)):
        return isinstance(new, (list, tuple))
    if isinstance(old, dict):
        return isinstance(new, dict)
    if isinstance(old, str):
        return isinstance(new, str)
    return True


def check_option_types(cfg: Config, options: dict) -> None:
    """A --cfg-options value whose type differs from the config's value is
    an error naming the key and the expected type (mmengine would pass
    ``max_iters='1k'`` on and fail later, far from the cause)."""
    for key, new in options.items():
        found, old = _lookup(cfg, key)
        if found and not _fits(old, new):
            raise ValueError(
                f'--cfg-options {key}={new!r}: expected '
                f'{type(old).__name__} (the config has {old!r}), got '
                f'{type(new).__name__}')


# Scheduler fields measured in iterations that are usually set from
# train_cfg.max_iters.
_SCHEDULE_LENGTH_KEYS = ('end', 'T_max', 'milestones', 'periods', 'T_0')


def warn_schedule_length(cfg: Config, old_iters, options: dict) -> None:
    """Warn when --cfg-options shortened or lengthened
    ``train_cfg.max_iters`` but left the LR schedule at the old length (a
    shortened run would stop at a high LR; the schedule is not rescaled
    silently because a multi-stage schedule has no single right rescaling).
    """
    new_iters = (cfg.get('train_cfg') or {}).get('max_iters')
    if 'train_cfg.max_iters' not in options or new_iters == old_iters or \
            any(k.startswith('param_scheduler') for k in options):
        return
    schedulers = cfg.get('param_scheduler') or []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    for i, sched in enumerate(schedulers):
        for field in _SCHEDULE_LENGTH_KEYS:
            value = sched.get(field)
            values = value if isinstance(value, (list, tuple)) else [value]
            nums = [v for v in values if isinstance(v, (int, float))]
            if nums and (max(nums) > new_iters or max(nums) == old_iters):
                warnings.warn(
                    f'train_cfg.max_iters was changed to {new_iters} '
                    f'(config: {old_iters}) but param_scheduler[{i}] '
                    f'({sched.get("type")}) keeps {field}={value}: the LR '
                    f'schedule is not rescaled; set --cfg-options '
                    f'param_scheduler.{i}.{field}=... as well')
                return


def check_training_hooks(cfg: Config) -> None:
    """An EEDTP GEF/MTUL config (``stage='gef'``) with
    ``pixel_loss.reg_weight > 0`` and no ``ImportanceEstimationHook`` in
    ``custom_hooks`` is an error naming the hook, before anything is built:
    L_reg needs the Omega and theta0 that hook estimates, and without it the
    run would otherwise build model, data and optimizer and only stop at its
    first training step."""
    model = cfg.get('model') or {}
    if model.get('type') != 'EEDTPRestorer' or model.get('stage') != 'gef':
        return
    if not (model.get('pixel_loss') or {}).get('reg_weight'):
        return
    hooks = [h.get('type') for h in cfg.get('custom_hooks') or []]
    if 'ImportanceEstimationHook' not in hooks:
        raise ValueError(
            'EEDTP GEF with model.pixel_loss.reg_weight='
            f'{model.pixel_loss.reg_weight} needs '
            "dict(type='ImportanceEstimationHook') in custom_hooks (it "
            'estimates the Omega and theta0 of L_reg); add it, or set '
            'model.pixel_loss.reg_weight=0')


def use_cpu_distributed(cfg: Config) -> None:
    """Make a distributed run work on CPU-only machines (gloo).

    mmengine 0.10.7 assumes a GPU per process: its pytorch launcher calls
    ``torch.cuda.set_device`` and its DDP wrapper passes
    ``device_ids=[LOCAL_RANK]``. Here the process group is initialised with
    gloo before the Runner (which then skips its own init) and DDP gets
    ``device_ids=None``, which is what CPU DDP requires.
    """
    import torch.distributed as dist
    dist_cfg = cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    if dist_cfg.get('backend', 'gloo') != 'gloo':
        warnings.warn(f'no GPU: distributed backend {dist_cfg["backend"]} '
                      '-> gloo')
    dist_cfg['backend'] = 'gloo'
    if cfg.launcher == 'pytorch' and not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False)
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


AMP_DTYPES = {'bf16': 'bfloat16', 'fp16': 'float16'}


def enable_amp(cfg: Config, dtype: str = 'bf16') -> None:
    """Mixed precision for every optimizer wrapper of the config (one, or
    the generator's and discriminator's of a GAN): mmdiffir's
    MixedPrecisionOptimWrapper, which runs on CPU and GPU alike (bf16:
    autocast only; fp16: autocast and a dynamic gradient scaler). A wrapper
    the config already makes mixed-precision is left as it is."""
    if dtype not in AMP_DTYPES:
        raise ValueError(f'--amp takes one of {sorted(AMP_DTYPES)}, got '
                         f'{dtype!r}')
    wrapper = cfg.optim_wrapper
    if 'constructor' in wrapper and 'optimizer' not in wrapper:
        # MultiOptimWrapperConstructor: one sub-wrapper per model part
        subs = [(k, v) for k, v in wrapper.items()
                if isinstance(v, dict) and 'optimizer' in v]
    else:
        subs = [('optim_wrapper', wrapper)]
    for name, sub in subs:
        kind = sub.get('type', 'OptimWrapper')
        if kind in ('AmpOptimWrapper', 'MixedPrecisionOptimWrapper'):
            continue
        if kind != 'OptimWrapper':
            raise ValueError(f'--amp supports OptimWrapper, got {kind} in '
                             f'{name}.type')
        sub.type = 'MixedPrecisionOptimWrapper'
        sub.dtype = AMP_DTYPES[dtype]


def config_data_roots(cfg: Config) -> List[Tuple[str, str]]:
    """(config key, resolved path) of every dataset folder the config's
    train / val / test loaders read: each ``data_root`` and each
    ``data_prefix`` folder under it (symlinks resolved)."""
    found: List[Tuple[str, str]] = []

    def visit(node, key):
        if isinstance(node, dict):
            root = node.get('data_root')
            if isinstance(root, str) and root:
                found.append((f'{key}.data_root', osp.realpath(root)))
                prefix = node.get('data_prefix')
                if isinstance(prefix, dict):
                    for name, subs in prefix.items():
                        for sub in subs if isinstance(subs, (list, tuple)) \
                                else [subs]:
                            if isinstance(sub, str) and sub:
                                found.append((
                                    f'{key}.data_prefix.{name}',
                                    osp.realpath(osp.join(root, sub))))
            for k, v in node.items():
                visit(v, f'{key}.{k}')
        elif isinstance(node, (list, tuple)):
            for i, v in enumerate(node):
                visit(v, f'{key}.{i}')

    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        visit(cfg.get(key), key)
    return found


def refuse_output_in_data(out_dir: str, cfg: Config, flag: str) -> None:
    """Raise ValueError when ``out_dir`` is, lies inside, or contains a
    dataset folder of ``cfg``: writing there would replace ground truth (or
    add files a later test reads). Paths are compared resolved, so a
    symlink to a data root counts as the root."""
    out = osp.realpath(out_dir)
    for key, root in config_data_roots(cfg):
        inside = out == root or out.startswith(root.rstrip(os.sep) + os.sep)
        contains = root.startswith(out.rstrip(os.sep) + os.sep)
        if inside or contains:
            how = 'is' if out == root else 'lies inside' if inside else \
                'contains'
            raise ValueError(
                f'{flag} {out_dir} ({out}) {how} the dataset folder {root} '
                f'({key}); writing there would overwrite or add to its '
                'images. Choose a folder outside every data root.')
