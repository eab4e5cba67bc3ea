"""The one harness of the benchmark scripts (benchmark_{eedtp,mtul,diffir,
diffuir,gpu}.py): shrink a config to a short CPU run, train it or reuse the
checkpoint of an earlier run, evaluate through the config's own metrics
(plus the same metrics of the degraded input), time callables side by side,
and write the markdown report with its command and hardware line.

Reference-size models come from the backbone files
(``configs/_base_/backbones/*.py``) through :func:`reference_model`, never by
editing a config's sizes in code.
"""
import os
import os.path as osp
import platform
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)


def setup() -> None:
    """Register mmdiffir's modules (the scripts' first step)."""
    from mmdiffir.utils import register_all_modules
    register_all_modules()


def interleaved_rounds(fns: Dict[str, Callable[[], object]],
                       repeats: int = 15,
                       grad: bool = False) -> Dict[str, List[float]]:
    """Seconds of each callable in each of ``repeats`` rounds that run all
    of them one after the other (so machine load drifts hit every arm the
    same way), after one warm-up call each.

    ``grad``: run with autograd on (training steps); off by default
    (inference). A callable that returns a float reports its own seconds
    instead of being timed whole: it times only a part of its work (e.g. a
    training step without the copy of its batch, or one backward pass
    without the forward that builds its graph).
    """
    import torch
    times = {k: [] for k in fns}
    with torch.set_grad_enabled(grad):
        for f in fns.values():
            f()
        for _ in range(repeats):
            for k, f in fns.items():
                t0 = time.perf_counter()
                out = f()
                elapsed = time.perf_counter() - t0
                times[k].append(out if isinstance(out, float) else elapsed)
    return times


def interleaved_median(fns: Dict[str, Callable[[], object]],
                       repeats: int = 15,
                       grad: bool = False) -> Dict[str, float]:
    """Median seconds of each callable over the rounds of
    :func:`interleaved_rounds`."""
    return medians(interleaved_rounds(fns, repeats, grad))


def medians(rounds: Dict[str, List[float]]) -> Dict[str, float]:
    return {k: statistics.median(v) for k, v in rounds.items()}


def paired_ratio(rounds: Dict[str, List[float]],
                 ratio: Callable[[Dict[str, float]], float]) -> tuple:
    """(median, min, max) over the rounds of ``ratio`` of one round's times
    (a dict name -> seconds). Each round's arms ran back to back, so a
    per-round ratio cancels the machine's slow drifts that a ratio of two
    medians keeps; the min and max show what is left of the noise."""
    n = len(next(iter(rounds.values())))
    values = [ratio({k: v[i] for k, v in rounds.items()}) for i in range(n)]
    return statistics.median(values), min(values), max(values)


def ratio_text(stats: tuple) -> str:
    """``**median x** (rounds min-max x)`` of :func:`paired_ratio`."""
    return f'**{stats[0]:.3f}x** (rounds {stats[1]:.3f}-{stats[2]:.3f}x)'


# ------------------------------------------------------------------ configs
def rebase(node, data_root: str) -> None:
    """Every ``data`` / ``data/...`` string (roots, kernel files) in a
    config node -> the same path under ``data_root``, in place."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and (v == 'data' or v.startswith('data/')):
                node[k] = osp.join(data_root, v[len('data/'):])
            else:
                rebase(v, data_root)
    elif isinstance(node, list):
        for v in node:
            rebase(v, data_root)


def scaled_stages(stages: Sequence[int], iters: int) -> List[int]:
    """The config's stage lengths scaled to ``iters`` in total, the last
    stage taking the rounding remainder (e.g. [100]*5 + [500] -> 10 % each
    and 50 % last, whatever the number of stages)."""
    total = sum(stages)
    out = [s * iters // total for s in stages[:-1]]
    return out + [iters - sum(out)]


def shrink(path_or_cfg, work_dir: str, iters: int,
           keep_hooks: Sequence[str] = (), data_root: Optional[str] = None,
           seed: Optional[int] = None, log_interval: int = 100):
    """The config (a path relative to the repository, or a Config) made a
    short benchmark run: ``iters`` iterations, one checkpoint at the end, no
    validation, only the custom hooks named in ``keep_hooks``, the LR
    schedule (T_max, or one CosineRestartLR period per stage with the
    sampler's stage_iters) rescaled to ``iters`` in the config's own
    proportions, and ``data/`` paths rebased under ``data_root``."""
    from mmengine.config import Config
    cfg = path_or_cfg if isinstance(path_or_cfg, Config) else \
        Config.fromfile(osp.join(REPO, path_or_cfg))
    cfg.work_dir = work_dir
    if seed is not None:
        cfg.randomness = dict(seed=seed)
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = iters + 1
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.logger.interval = log_interval
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False,
                                        interval=iters)
    cfg.custom_hooks = [h for h in cfg.get('custom_hooks', [])
                        if h['type'] in keep_hooks]
    sched = cfg.param_scheduler
    if sched.type == 'CosineRestartLR':
        stages = scaled_stages(sched.periods, iters)
        cfg.train_dataloader.sampler.stage_iters = stages
        sched.periods = stages
    else:
        sched.T_max = iters
    if data_root is not None:
        rebase(cfg.train_dataloader, data_root)
        rebase(cfg.test_dataloader, data_root)
    return cfg


def reference_model(method_model: str, backbone: str, **overrides):
    """The model config of ``configs/_base_/models/<method_model>.py`` with
    the generator of ``configs/_base_/backbones/<backbone>.py`` (the one
    place that says how large a reference-size network is)."""
    from mmengine.config import Config
    base = osp.join(REPO, 'configs/_base_')
    model = Config.fromfile(osp.join(base, 'models', method_model + '.py'))
    sizes = Config.fromfile(osp.join(base, 'backbones', backbone + '.py'))
    model = model.model
    model.generator = sizes.generator
    model.update(overrides)
    return model


def train_or_reuse(cfg, reuse: bool = True):
    """(model in eval mode, training seconds): trained by mmengine's Runner,
    or, with ``reuse`` and the final checkpoint of an earlier run in
    ``cfg.work_dir``, built and loaded from it (seconds None)."""
    from mmengine.runner import Runner, load_checkpoint

    from mmdiffir.registry import MODELS
    ckpt = checkpoint(cfg)
    if reuse and osp.isfile(ckpt):
        model = MODELS.build(cfg.model)
        load_checkpoint(model, ckpt, map_location='cpu', strict=True,
                        logger='silent')
        return model.eval(), None
    t0 = time.perf_counter()
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner.model.eval(), time.perf_counter() - t0


def checkpoint(cfg) -> str:
    """The last checkpoint a shrunk config writes."""
    return osp.join(cfg.work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')


# --------------------------------------------------------------- evaluation
RGB_PSNR_SSIM = [dict(type='PSNR'), dict(type='SSIM')]


def with_input_metrics(metrics: Sequence[dict]) -> List[dict]:
    """The metrics and, for each PSNR/SSIM, the same metric of the degraded
    input (mmdiffir's InputPSNR/InputSSIM, prefix ``input/<prefix>``)."""
    out = [dict(m) for m in metrics]
    for m in metrics:
        if m['type'] in ('PSNR', 'SSIM'):
            prefix = m.get('prefix')
            out.append(dict(m, type='Input' + m['type'], prefix='input' + (
                f'/{prefix}' if prefix else '')))
    return out


def evaluate(model, dataset, metrics: Sequence[dict] = RGB_PSNR_SSIM,
             limit: Optional[int] = None, inputs: bool = True) -> dict:
    """Metric name -> value of ``model.val_step`` over the first ``limit``
    samples of ``dataset`` (a dataset or its config), scored by ``metrics``
    (a config's ``test_evaluator`` entry: mmagic's sample-wise metrics, fed
    as mmagic's Evaluator feeds them), and with ``inputs`` the same metrics
    of the degraded input."""
    import torch
    from mmengine.dataset import pseudo_collate

    from mmdiffir.registry import DATASETS, METRICS
    if isinstance(dataset, dict):
        dataset = DATASETS.build(dataset)
    n = len(dataset) if limit is None else min(limit, len(dataset))
    built = [METRICS.build(m) for m in (
        with_input_metrics(metrics) if inputs else metrics)]
    for m in built:  # what mmagic's Evaluator.prepare_metrics sets
        m.size, m.data_preprocessor = n, model.data_preprocessor
    for i in range(n):
        batch = pseudo_collate([dataset[i]])
        with torch.no_grad():
            outputs = [o.to_dict() for o in model.val_step(batch)]
        for m in built:
            m.process(batch, outputs)
    results = {}
    for m in built:
        results.update(m.evaluate())
    return results


def psnr_ssim(model, dataset, limit: Optional[int] = None,
              metrics: Sequence[dict] = RGB_PSNR_SSIM, prefix: str = '',
              inputs: bool = False) -> tuple:
    """Mean (PSNR, SSIM) on RGB in 0-255 of the model over the dataset's
    first ``limit`` samples (all by default), through :func:`evaluate`; with
    ``inputs`` ((PSNR, SSIM), (input PSNR, input SSIM)). ``prefix``: that of
    the config's RGB metrics (a test set's name, e.g. ``noise``)."""
    res = evaluate(model, dataset, metrics, limit, inputs)
    key = f'{prefix}/' if prefix else ''
    out = res[key + 'PSNR'], res[key + 'SSIM']
    if not inputs:
        return out
    return out, (res[f'input/{key}InputPSNR'], res[f'input/{key}InputSSIM'])


def mean_metrics(results: Sequence[tuple]) -> tuple:
    """Element-wise mean of per-set (PSNR, SSIM) tuples."""
    return tuple(statistics.mean(v) for v in zip(*results))


# ------------------------------------------------------------------ reports
def header(script: str, argv: Optional[Sequence[str]]) -> List[str]:
    """The report's command, hardware and commit lines."""
    import torch
    args = ' '.join(sys.argv[1:] if argv is None else argv)
    threads = os.environ.get('OMP_NUM_THREADS')
    env = f'OMP_NUM_THREADS={threads} ' if threads else ''
    try:
        commit = subprocess.run(
            ['git', '-C', REPO, 'rev-parse', '--short', 'HEAD'],
            capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = 'unknown'
    return [f'Command: `{env}python tools/analysis_tools/{script} {args}`',
            f'Hardware: {platform.processor() or platform.machine()}, '
            f'{os.cpu_count()} logical CPUs, torch {torch.__version__}, '
            f'{torch.get_num_threads()} thread(s); commit {commit}', '']


def table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> List[str]:
    """Markdown table lines."""
    return (['| ' + ' | '.join(head) + ' |', '|---' * len(head) + '|'] +
            ['| ' + ' | '.join(r) + ' |' for r in rows])


def write_report(lines: Sequence[str], out: Optional[str]) -> str:
    """Print the report and, with ``out``, write it there too."""
    text = '\n'.join(lines).rstrip('\n') + '\n'
    print(text)
    if out:
        os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
        with open(out, 'w') as f:
            f.write(text)
    return text
