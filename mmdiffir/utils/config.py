"""Config preparation shared by tools/train.py and tools/test.py."""
import os.path as osp
import warnings

import torch
from mmengine.config import Config, DictAction  # noqa: F401 (re-exported)


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


def load_config(args) -> Config:
    """Read the config, apply --cfg-options, --work-dir and --launcher, and
    switch the distributed backend to gloo when no GPU is present."""
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'config file not found: {args.config}')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.launcher != 'none' and not torch.cuda.is_available():
        use_cpu_distributed(cfg)
    return cfg


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
