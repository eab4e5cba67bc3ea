"""The timed callables of ``benchmark_eedtp_cost.py`` (its module
docstring says what each section measures): the two models of a size, the
training-step arms, the inherent passes of a diffusion iteration, the pieces
of a non-diffusion step, and the peak-memory measurement in a child
process. The sections and the report are the benchmark's own.
"""
import contextlib
import copy
import itertools
import multiprocessing as mp
import os
import os.path as osp
import sys
import threading
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_harness import REPO, setup  # noqa: E402

SIZES = {  # size -> (GEF config, plain model config of the same backbone)
    'tiny': ('configs/eedtp/'
             'eedtp-gef_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-denoise-cpu.py',
             'configs/_base_/models/plain_nafnet-tiny.py'),
    'w48': ('configs/eedtp/'
            'eedtp-gef_nafnet-w48_8xb2-lr5e-5-500k_dfwb-denoise.py',
            'configs/_base_/models/plain_nafnet-w48.py'),
}
# diffusion-iteration variants: name -> pixel_loss overrides of the config
VARIANTS = {
    'gef_diff': {},  # the config's L_orthog (exact, double backward)
    'orthog_off': dict(orthog_weight=0.0),
    'surgery': dict(orthog_mode='surgery'),
}
HVP = 'backward through both gradients (HVPs)'  # the exact L_orthog's pass
# the variants timed at each size: at w48 only the config's (a round of all
# of them would take minutes of CPU per repeat)
SIZE_VARIANTS = {'tiny': list(VARIANTS), 'w48': ['gef_diff']}


# ------------------------------------------------------------------ arms
def restoration_loss(align):
    """The GEF config's L_res (L1 + fft_weight FFT-L1) as a plain model's
    ``pixel_loss``: the plain step with the same loss."""
    from torch import nn

    class RestorationLoss(nn.Module):

        def __init__(self):
            super().__init__()
            self.align = align

        def forward(self, pred, gt):
            return sum(self.align.restoration(pred, gt).values())

    return RestorationLoss()


def build(size):
    """(plain model, GEF model, an optimizer wrapper for each) of one size,
    the GEF anchor filled as ImportanceEstimationHook would fill it."""
    import torch
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper

    from mmdiffir.registry import MODELS
    gef_path, plain_path = SIZES[size]
    gef_cfg = Config.fromfile(osp.join(REPO, gef_path))
    plain_cfg = Config.fromfile(osp.join(REPO, plain_path))
    torch.manual_seed(0)
    plain = MODELS.build(plain_cfg.model).train()
    gef = MODELS.build(gef_cfg.model).train()
    params = gef.trainable_params()
    gef.anchor.set(params, [torch.full_like(p, 1e-3) for p in params])
    return (plain, build_optim_wrapper(plain, gef_cfg.optim_wrapper), gef,
            build_optim_wrapper(gef, gef_cfg.optim_wrapper))


def train_batch(batch_size=4, size=64):
    """A noisy batch in the dataloader's format (0-255)."""
    import torch
    from mmagic.structures import DataSample
    g = torch.Generator().manual_seed(0)
    gt = torch.rand(batch_size, 3, size, size, generator=g) * 255
    noisy = gt + 25 * torch.randn(gt.shape, generator=g)
    return dict(inputs=list(noisy),
                data_samples=[DataSample(gt_img=x) for x in gt])


def iterations(model, diffusion: bool):
    """Endless iteration numbers at which the model's diffusion coin falls
    ``diffusion`` (the coin and the draws are keyed by the iteration)."""
    from mmengine.logging import MessageHub
    hub = MessageHub.get_current_instance()
    for it in itertools.count(1):
        hub.update_info('iter', it)
        if model.diffusion_iteration() == diffusion:
            yield it


def timed_step(model, optim, batch, its=None, **loss):
    """A callable: one train_step (the iteration set in the message hub as
    the Runner does), returning its own seconds (the batch copy untimed).
    ``loss``: DiffusionAlignLoss attributes set for this arm."""
    from mmengine.logging import MessageHub
    hub = MessageHub.get_current_instance()
    defaults = {k: getattr(model.pixel_loss, k) for k in loss}

    def step():
        data = copy.deepcopy(batch)
        if its is not None:
            hub.update_info('iter', next(its))
        for k, v in loss.items():
            setattr(model.pixel_loss, k, v)
        try:
            t0 = time.process_time()
            model.train_step(data, optim)
            return time.process_time() - t0
        finally:
            for k, v in defaults.items():
                setattr(model.pixel_loss, k, v)

    return step


def step_arms(size, batch):
    """name -> timed callable of every step arm of one size."""
    plain, plain_optim, gef, gef_optim = build(size)
    l1 = plain.pixel_loss
    same = restoration_loss(gef.pixel_loss)
    arms = {
        'plain_l1': timed_step(plain, plain_optim, batch),
        'gef_nodiff': timed_step(gef, gef_optim, batch,
                                 iterations(gef, False)),
    }
    plain_fft = timed_step(plain, plain_optim, batch)

    def plain_l1fft():
        plain.pixel_loss = same
        try:
            return plain_fft()
        finally:
            plain.pixel_loss = l1

    arms['plain_l1fft'] = plain_l1fft
    for name in SIZE_VARIANTS[size]:
        arms[name] = timed_step(gef, gef_optim, batch,
                                iterations(gef, True), **VARIANTS[name])
    return arms, gef, gef_optim


# ---------------------------------------------------------------- passes
def timed_optimizer_step(params, optim):
    """A callable: one optimizer step with zero gradients (the same work
    as with real ones), returning its own CPU seconds."""
    import torch

    def run():
        for p in params:
            p.grad = torch.zeros_like(p)
        t0 = time.process_time()
        optim.step()
        optim.zero_grad()
        return time.process_time() - t0
    return run


def pass_arms(gef, optim, batch, exact: bool, fast: bool = True):
    """name -> callable timing one inherent pass of a diffusion iteration
    alone (``exact``: with the graphs and the backward the exact L_orthog
    gradient needs; ``fast``: with the grouped convolutions' cheap double
    backward, as the restorer builds them). ``optimizer`` steps with zero
    gradients (the same work as with real ones)."""
    import torch
    from mmengine.logging import MessageHub

    from mmdiffir.models.editors.eedtp.twice_differentiable import \
        twice_differentiable
    MessageHub.get_current_instance().update_info('iter', 1)
    data = gef.data_preprocessor(copy.deepcopy(batch), True)
    inputs, gt = data['inputs'], data['data_samples'].gt_img
    params = gef.trainable_params()
    t_mat = gef._sample_t_mat(data['data_samples'], inputs.shape[0])
    loss_fn = gef.pixel_loss

    def twice():  # as the restorer builds graphs it differentiates twice
        return twice_differentiable(gef.generator, fast_grouped=fast) \
            if exact else contextlib.nullcontext()

    def grad_res():
        with twice():
            out = gef.restore(inputs, t_mat)
        l_res = sum(loss_fn.restoration(out, gt).values())
        return torch.autograd.grad(l_res, params, allow_unused=True,
                                   create_graph=exact)

    def grad_gen():
        with twice():
            l_gen = gef.diffusion_loss(gt)
        return torch.autograd.grad(l_gen, params, allow_unused=True,
                                   create_graph=exact)

    def timed(fn):
        def run():
            t0 = time.process_time()
            fn()
            return time.process_time() - t0
        return run

    arms = {'grad L_res': timed(grad_res), 'grad L_gen': timed(grad_gen)}
    if exact:
        def hvp():
            g = [x for x in grad_res() + grad_gen() if x is not None]
            u = [torch.ones_like(x) for x in g]
            t0 = time.process_time()  # one vector-Jacobian product
            torch.autograd.grad(g, params, u, allow_unused=True)
            return time.process_time() - t0

        arms[HVP] = hvp

    arms['optimizer step'] = timed_optimizer_step(params, optim)
    return arms


# ---------------------------------------------------------------- memory
def _rss_bytes():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def _peak_step_memory_child(kind, queue):
    """Peak resident memory during one training step above the resident
    memory before it (sampled every 0.2 ms). The parent starts this process
    with MALLOC_MMAP_THRESHOLD_ low, so each large tensor is its own mapping
    and is returned to the system when freed: RSS then follows the live
    tensors. torch has no CPU allocator statistics to ask instead."""
    from mmengine.logging import MessageHub
    setup()
    plain, plain_optim, gef, gef_optim = build('tiny')
    model, optim = (plain, plain_optim) if kind == 'plain' else (gef,
                                                                 gef_optim)
    for k, v in VARIANTS.get(kind, {}).items():
        setattr(gef.pixel_loss, k, v)
    its = iterations(gef, True) if kind != 'plain' else itertools.count(1)
    hub = MessageHub.get_current_instance()
    batch = train_batch(batch_size=8, size=192)
    hub.update_info('iter', next(its))
    model.train_step(copy.deepcopy(batch), optim)  # optimizer state exists
    data = copy.deepcopy(batch)
    hub.update_info('iter', next(its))
    base, peak, done = _rss_bytes(), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            time.sleep(0.0002)

    thread = threading.Thread(target=sample)
    thread.start()
    model.train_step(data, optim)
    done.set()
    thread.join()
    queue.put(max(peak[0] - base, 1))


def peak_memory():
    """{'plain', 'gef_diff', 'orthog_off'} -> peak bytes of one step (tiny,
    8x192x192; a diffusion iteration for the two GEF variants)."""
    os.environ['MALLOC_MMAP_THRESHOLD_'] = str(1 << 16)
    ctx = mp.get_context('spawn')
    out = {}
    try:
        for kind in ('plain', 'gef_diff', 'orthog_off'):
            q = ctx.Queue()
            p = ctx.Process(target=_peak_step_memory_child, args=(kind, q))
            p.start()
            out[kind] = q.get()
            p.join()
    finally:
        del os.environ['MALLOC_MMAP_THRESHOLD_']
    return out


# --------------------------------------------------------------- profile
def unfused_optimizer(model, optim_wrapper):
    """The wrapper's optimizer class and settings with fused=False."""
    optim = optim_wrapper.optimizer
    group = {k: v for k, v in optim.defaults.items()
             if k not in ('fused', 'foreach')}
    return type(optim)([p for p in model.parameters() if p.requires_grad],
                       fused=False, foreach=False, **group)


def profile_arms(size, batch):
    """name -> timed callable of each piece of a non-diffusion GEF step and
    of the plain step with the same loss, each alone (see
    :func:`profile_section`)."""
    import torch
    from mmengine.logging import MessageHub
    plain, plain_optim, gef, gef_optim = build(size)
    same = restoration_loss(gef.pixel_loss)
    hub = MessageHub.get_current_instance()
    hub.update_info('iter', 1)
    data = gef.data_preprocessor(copy.deepcopy(batch), True)
    inputs, samples = data['inputs'], data['data_samples']
    gt = samples.gt_img
    t_mat = gef._sample_t_mat(samples, inputs.shape[0])

    def fwd_bwd(model, forward):
        def run():
            t0 = time.process_time()
            same(forward(), gt).backward()
            elapsed = time.process_time() - t0
            model.zero_grad(set_to_none=True)
            return elapsed
        return run

    def optimizer(model, optim):
        return timed_optimizer_step(
            [p for p in model.parameters() if p.requires_grad], optim)

    def draws():
        t0 = time.process_time()
        gef.diffusion_iteration()
        gef._sample_t_mat(samples, inputs.shape[0])
        return time.process_time() - t0

    def gradients_only():  # compute_gradients, no optimizer step
        t0 = time.process_time()
        gef.compute_gradients(inputs, samples, gef.trainable_params(),
                              use_diffusion=False)
        return time.process_time() - t0

    def timed_fft():
        pred = gef.restore(inputs, None).detach().requires_grad_()
        t0 = time.process_time()
        loss = gef.pixel_loss.restoration(pred, gt)['loss_fft']
        loss.backward()
        return time.process_time() - t0

    steps, _, _ = step_arms(size, batch)
    return {
        'plain_l1fft step': steps['plain_l1fft'],
        'gef_nodiff step': steps['gef_nodiff'],
        'fwd+bwd plain': fwd_bwd(plain, lambda: plain.generator(inputs)),
        'fwd+bwd conditioned': fwd_bwd(
            gef, lambda: gef.restore(inputs, t_mat)),
        'fwd+bwd hooks pass-through (no time)': fwd_bwd(
            gef, lambda: gef.restore(inputs, None)),
        'compute_gradients (no diffusion)': gradients_only,
        'optimizer step plain': optimizer(plain, plain_optim),
        'optimizer step gef': optimizer(gef, gef_optim),
        # the config's optimizer is fused (one kernel); torch's CPU default
        # is a loop over the tensors, for comparison
        'optimizer step gef, unfused': optimizer(gef, unfused_optimizer(
            gef, gef_optim)),
        'FFT term fwd+bwd': timed_fft,
        'coin + t_mat': draws,
    }, plain, gef
