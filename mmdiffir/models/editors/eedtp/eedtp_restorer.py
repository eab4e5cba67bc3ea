"""The EEDTP restorer: any registered IR backbone, time-conditioned from
outside, trained as a diffusion denoiser (TMDDP) and a restorer (GEF), and
run at test time as one deterministic pass at the task's t_mat.

Residual convention: mmagic's NAFNet, Restormer and SwinIR add their input
back themselves (global skip), so ``f(y, t)`` is the restored image and the
diffusion prediction is ``f(x_t, t) ~ x0``. This is the reference's
``y - f(y, t)`` with the sign and the skip inside the backbone.
"""
import contextlib
from typing import Dict, List, Optional, Union

import numpy as np
import torch
from mmagic.models import BaseEditModel
from mmagic.structures import DataSample
from mmengine.dist import all_reduce, get_dist_info

from mmdiffir.models.inference_utils import TileFlipMixin
from mmdiffir.models.losses.gradient_ops import (cosine_directions,
                                                 grads_or_zeros)
from mmdiffir.engine.optimizers import loss_scale_of
from mmdiffir.registry import DIFFUSION_SCHEDULERS, MODELS
from mmdiffir.utils.runtime import current_iter
from .anchor import ParameterAnchor
from .gradient_step import apply_gradients, global_mean, refuse_accumulation
from .twice_differentiable import twice_differentiable
from .layer_depth import execution_depths


@MODELS.register_module()
class EEDTPRestorer(TileFlipMixin, BaseEditModel):
    """Args:
        generator (dict): the backbone (e.g. ``dict(type='NAFNet', ...)``).
        conditioner (dict): a ``TimeConditioner`` config selecting blocks.
        pixel_loss (dict): a ``DiffusionAlignLoss`` config.
        noise_schedule (dict): an ``EEDTPNoiseSchedule`` config.
        t_mat (int, optional): the task's time step (METHODS.md §1.3); a
            sample's ``t_mat`` metainfo, when present, wins (multi-task
            data). Required without an ``adapter``. A multi-task model (with
            an adapter) may leave it None: then every sample must carry its
            own ``t_mat`` and one without raises (no silent default task);
            set it explicitly to make it the fallback.
        stage (str): 'tmddp' (diffusion pre-training on clean images, only
            L_gen) or 'gef' (fine-tuning with the DiffusionAlignLoss; on
            task-tagged multi-task data this is MTUL's objective, each
            sample restored at its own t_mat).
        adapter (dict, optional): a ``TaskAdapter`` config (MTUL): MoE
            adapters after the selected levels, routed by t_mat, used in
            training, test and inference alike.
        freeze_backbone (bool): train only the adapters (plug-and-play):
            backbone and time conditioning get ``requires_grad=False`` and
            stay bit-identical.
        example_size (int): side of the zero image of the dry pass that
            sizes the conditioner's heads and orders the layers.
        draw_seed (int, optional): seed of the diffusion draws (see
            :meth:`keyed_draws`); default: torch's seed at build time (the
            config's ``randomness.seed``). Saved in checkpoints.
        test_cfg (dict): ``flip_ensemble`` (1/2/4/8), ``tile`` (int or None)
            and ``tile_overlap`` (int), applied by :class:`TileFlipMixin`.
    """

    def __init__(self,
                 generator: dict,
                 conditioner: dict,
                 pixel_loss: dict = dict(type='DiffusionAlignLoss'),
                 noise_schedule: dict = dict(type='EEDTPNoiseSchedule'),
                 t_mat: Optional[int] = None,
                 stage: str = 'gef',
                 adapter: Optional[dict] = None,
                 freeze_backbone: bool = False,
                 example_size: int = 32,
                 draw_seed: Optional[int] = None,
                 in_channels: int = 3,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None):
        super().__init__(generator=generator, pixel_loss=pixel_loss,
                         train_cfg=train_cfg, test_cfg=test_cfg,
                         init_cfg=init_cfg,
                         data_preprocessor=data_preprocessor)
        if stage not in ('tmddp', 'gef'):
            raise ValueError(f'stage must be "tmddp" or "gef", got {stage!r}')
        self.stage = stage
        self.schedule = DIFFUSION_SCHEDULERS.build(noise_schedule)
        if t_mat is None and adapter is None:
            raise ValueError('EEDTPRestorer: model.t_mat is required for a '
                             'single-task model (no adapter); see '
                             'mmdiffir.t_mat.T_MAT')
        if t_mat is not None and not 0 <= t_mat <= self.schedule.T:
            raise ValueError(f't_mat must lie in 0..{self.schedule.T}, got '
                             f'{t_mat}')
        self.t_mat = None if t_mat is None else int(t_mat)
        self.conditioner = MODELS.build(conditioner)
        example = torch.zeros(1, in_channels, example_size, example_size)
        self.conditioner.attach(self.generator, example)
        self.adapter = None
        if adapter is not None:
            self.adapter = MODELS.build(adapter)
            self.adapter.attach(self.generator, example)
        if freeze_backbone:
            if self.adapter is None:
                raise ValueError('freeze_backbone=True trains only the '
                                 'adapters, but no `adapter` is configured')
            for p in [*self.generator.parameters(),
                      *self.conditioner.parameters()]:
                p.requires_grad_(False)
        self.freeze_backbone = freeze_backbone
        if self.adapter is not None:  # adapters refuse a pass without time
            self.adapter.set_time(self.t_mat or 0)
        depths = execution_depths(self.generator, example)
        if self.adapter is not None:
            self.adapter.set_time(None)
        named = [(n, p) for n, p in self.named_parameters()
                 if p.requires_grad]
        self._param_names = [n for n, _ in named]
        self.register_buffer(
            'param_depths',
            torch.tensor([self._depth_of(n, depths) for n, _ in named]),
            persistent=False)
        self.anchor = ParameterAnchor(named)
        seed = torch.initial_seed() if draw_seed is None else draw_seed
        self.register_buffer('draw_seed',
                             torch.tensor(int(seed) % 2**62, dtype=torch.long))

    def _depth_of(self, name: str, generator_depths: Dict[str, float]):
        """Generator params: execution depth. A conditioner head or an
        adapter takes the depth of the block it follows; the shared time MLP
        depth 0."""
        if name.startswith('generator.'):
            return generator_depths[name[len('generator.'):]]
        if name.startswith(('conditioner.heads.', 'adapter.adapters.')):
            block = name.split('.')[2].replace('-', '.')
            prefix = block + '.'
            below = [d for n, d in generator_depths.items()
                     if n.startswith(prefix)]
            return min(below) if below else 0.0
        return 0.0

    # ------------------------------------------------------------ helpers
    def trainable_params(self) -> List[torch.Tensor]:
        named = dict(self.named_parameters())
        return [named[n] for n in self._param_names]

    def _sample_t_mat(self, data_samples, batch: int) -> torch.Tensor:
        """Per-sample t_mat: the samples' ``t_mat`` metainfo (multi-task
        data; a stacked DataSample holds one value per sample) or the
        model's. ValueError when neither exists (a multi-task model with
        ``t_mat=None`` on samples without a task)."""
        meta = getattr(data_samples, 'metainfo', {}) if data_samples \
            is not None else {}
        if 't_mat' in meta:
            t = meta['t_mat']
            t = [int(v) for v in (t if isinstance(t, (list, tuple)) else
                                  [t] * batch)]
        elif self.t_mat is None:
            raise ValueError(
                'EEDTPRestorer: this multi-task model has no model.t_mat and '
                'the samples carry no `t_mat`: tag the test data with its '
                'task (MultiTaskDataset tasks=[dict(name, t_mat, dataset)]) '
                'or set model.t_mat explicitly in the config')
        else:
            t = [self.t_mat] * batch
        return torch.tensor(t, dtype=torch.long, device=self.param_depths.device)

    def restore(self, inputs: torch.Tensor,
                t: Union[int, torch.Tensor]) -> torch.Tensor:
        """One conditioned pass: the restored image (the backbone's own
        residual), inputs in [0, 1] (B, C, H, W)."""
        self.conditioner.set_time(t)
        if self.adapter is not None:
            self.adapter.set_time(t)
        return self.generator(inputs)

    # ------------------------------------------------------------ draws
    def _key(self, *parts: int) -> int:
        return int(np.random.SeedSequence(
            [int(self.draw_seed), *map(int, parts)]).generate_state(1)[0])

    def keyed_draws(self, gt: torch.Tensor, step: int, stream: int = 0):
        """(t, eps) of the diffusion objective for a batch, each sample's
        draw a pure function of (draw_seed, stream, step, the sample's
        position in the global batch).

        Why not the global RNG: then a resumed run (mmengine replays the data
        but not the model's draws) and a W-process run (each process draws
        for its own slice) would train on other noise than the uninterrupted
        single-process run. The position of local sample j on rank r of W is
        ``j * W + r``: mmengine's samplers and MultiTaskSampler give rank r
        the items r, r + W, ... of the global order.
        """
        rank, world = get_dist_info()
        ts, noise = [], []
        for j in range(gt.shape[0]):
            g = torch.Generator().manual_seed(
                self._key(stream, step, j * world + rank))
            ts.append(torch.randint(1, self.schedule.T + 1, (1, ),
                                    generator=g))
            noise.append(torch.randn(gt.shape[1:], generator=g))
        t = torch.cat(ts).to(gt.device)
        return t, torch.stack(noise).to(gt.device, gt.dtype)

    def diffusion_loss(self, gt: torch.Tensor,
                       step: Optional[int] = None,
                       stream: int = 0) -> torch.Tensor:
        """L_gen: x_t = x0 + sigmabar_t * eps, t ~ U{1..T},
        || f(x_t, t) - x0 ||_1 (draws: :meth:`keyed_draws` at ``step``,
        default the current iteration)."""
        t, eps = self.keyed_draws(
            gt, current_iter() if step is None else step, stream)
        x_t = self.schedule.add_noise(gt, t, eps)
        return self.pixel_loss.generation(self.restore(x_t, t), gt)

    # ------------------------------------------------------------ training
    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper) -> Dict[str, torch.Tensor]:
        refuse_accumulation(optim_wrapper)
        if self.stage == 'gef' and self.pixel_loss.reg_weight and \
                self.pixel_loss.gen_prob:
            self.check_anchor()  # at the first iteration, not the first draw
        data = self.data_preprocessor(data, True)
        params = self.trainable_params()
        # fp16: the gradients are of the scaled losses; the wrapper's step
        # divides them by the same scale and skips a non-finite step
        with optim_wrapper.optim_context(self):
            grads, log_vars = self.compute_gradients(
                data['inputs'], data['data_samples'], params,
                loss_scale=loss_scale_of(optim_wrapper))
        apply_gradients(params, grads, optim_wrapper)
        return log_vars

    def check_anchor(self) -> None:
        """L_reg needs theta0 and Omega of this model's trainable parameters
        (ImportanceEstimationHook fills them before training). Without them
        the anchor would silently be a no-op, so stop instead. Checked once
        per process after it passes (the buffer read forces a GPU sync)."""
        if getattr(self, '_anchor_ok', False):
            return
        if not bool(self.anchor.ready):
            raise RuntimeError(
                'EEDTPRestorer: pixel_loss.reg_weight > 0 but the importance '
                '(Omega) and theta0 of L_reg were never estimated: add '
                "dict(type='ImportanceEstimationHook') to custom_hooks (or "
                'set model.pixel_loss.reg_weight=0)')
        if not self.anchor.matches():
            raise RuntimeError(
                'EEDTPRestorer: the L_reg anchor (theta0, Omega) belongs to '
                'other trainable parameters than this model\'s (loaded from '
                'another model?): ImportanceEstimationHook estimates it again '
                'before training')
        self._anchor_ok = True

    def diffusion_iteration(self) -> bool:
        """Whether this GEF iteration adds the diffusion terms: a draw keyed
        by (draw_seed, iteration) like :meth:`keyed_draws`, so every process
        makes the same choice and a resumed run the same as the original."""
        u = np.random.default_rng(self._key(2, current_iter())).random()
        return bool(u < self.pixel_loss.gen_prob)

    def compute_gradients(self, inputs, data_samples, params,
                          use_diffusion: Optional[bool] = None,
                          loss_scale: float = 1.0):
        """The gradient of this iteration's objective for ``params``,
        averaged over processes (the global batch's), and the logged terms.
        ``use_diffusion`` forces (or skips) the diffusion terms in GEF; None
        draws it with probability ``gen_prob``. ``loss_scale`` (fp16's
        gradient scale) multiplies every differentiated loss, so all
        returned gradients are scaled by it: the combination below is
        linear in them (the surgery and the cosine are invariant to a
        common factor), so it commutes with the wrapper's unscaling."""
        loss_fn = self.pixel_loss
        gt = data_samples.gt_img
        if self.stage == 'tmddp':
            l_gen = self.diffusion_loss(gt)
            grads = torch.autograd.grad(loss_scale * l_gen, params,
                                        allow_unused=True)
            return global_mean(grads_or_zeros(grads, params)), dict(
                loss_gen=l_gen.detach())

        t_mat = self._sample_t_mat(data_samples, inputs.shape[0])
        if use_diffusion is None:
            use_diffusion = self.diffusion_iteration()
        double = use_diffusion and loss_fn.orthog_mode == 'double_backward' \
            and loss_fn.orthog_weight > 0
        # graphs differentiated twice: NAFNet's LayerNorm2d with a correct
        # double backward, grouped convs with a cheap one (same values; see
        # twice_differentiable.py)
        def twice():
            return twice_differentiable(self.generator) if double \
                else contextlib.nullcontext()

        with twice():
            terms = loss_fn.restoration(self.restore(inputs, t_mat), gt)
        l_res = sum(terms.values())
        log = {k: v.detach() for k, v in terms.items()}
        g_res = grads_or_zeros(torch.autograd.grad(
            loss_scale * l_res, params, allow_unused=True,
            create_graph=double), params)
        if not use_diffusion:
            log['loss'] = l_res.detach()
            return global_mean(g_res), log

        with twice():
            l_gen = self.diffusion_loss(gt)
        g_gen = grads_or_zeros(torch.autograd.grad(
            loss_scale * l_gen, params, allow_unused=True,
            create_graph=double), params)
        if not double:
            # the surgery (a nonlinear function of both gradients) acts on
            # the global batch's gradients, as with one process. (The
            # double-backward L_orthog keeps per-process graphs; see below.)
            g_res, g_gen = global_mean(g_res), global_mean(g_gen)
        # the layer-wise decay of a multi-task batch uses its mean t_mat:
        # the global batch's (a per-process mean would make the update
        # depend on how the batch is split over processes)
        t_bar = t_mat.float().mean()
        all_reduce(t_bar, op='mean')
        scales = loss_fn.depth_scales(self.param_depths, t_bar)
        with torch.no_grad():  # values only: L_orthog's gradient is below
            g_diff = loss_fn.aligned_diffusion_grad(g_gen, g_res, scales)
        value = l_res.detach() + loss_fn.gen_weight * l_gen.detach()
        if double:
            # g_diff = gen_weight * s * g_gen, s the per-parameter decay
            l_orth, g_orth = self._orthog_gradient(
                g_gen, g_res, g_diff, (loss_fn.gen_weight * scales).tolist(),
                params, loss_scale * loss_fn.orthog_weight)
            value = value + loss_fn.orthog_weight * l_orth
            log['loss_orthog'] = l_orth
        # The sum is accumulated in g_diff's own (new) tensors, no longer
        # needed as themselves: each parameter-sized list not allocated
        # saves an allocation and a pass over all parameters (80M at
        # NAFNet-w48), a visible part of an iteration on a CPU.
        grads = g_diff
        with torch.no_grad():
            torch._foreach_add_(grads, g_res)
            if double:
                torch._foreach_add_(grads, g_orth)
                del g_orth
            if loss_fn.reg_weight:
                self.check_anchor()
                l_reg = loss_fn.anchor(params, self.anchor.theta0,
                                       self.anchor.omega, grads,
                                       alpha=loss_scale)
                value = value + l_reg
                log['loss_reg'] = l_reg
        if double:  # L_reg's gradient is the same on every process
            grads = global_mean(grads)
        log['loss_gen'] = l_gen.detach()
        log['loss'] = value
        return grads, log

    @staticmethod
    def _orthog_gradient(g_gen, g_res, g_diff, diff_factors, params,
                         weight: float):
        """(L_orthog, ``weight`` times its exact gradient) for ``L_orthog =
        1 - cos(G_diff, G_res)`` of the *global* batch, G = the mean over
        processes of the local gradients ``g``; ``g_gen`` and ``g_res``
        carry their graphs, ``g_diff = diff_factors * g_gen`` (values).

        By the chain rule ``dL/dtheta = -(H_gen (f * u_diff) + H_res
        u_res)`` with ``u = dcos/dG`` (closed form, the same on every
        process) held constant and ``f`` the factors: one vector-Jacobian
        product of the two gradients with ``u`` as their output gradients
        (one backward through the backward graph, nothing else built on the
        graph). The mean over processes of the local products is the
        global batch's; on one process it is the gradient of ``1 -
        cos(g_diff, g_res)`` itself (tested)."""
        big_diff, big_res = global_mean(g_diff), global_mean(g_res)
        cos, u_diff, u_res = cosine_directions(big_diff, big_res,
                                               scale=-weight)
        torch._foreach_mul_(u_diff, diff_factors)
        out_gen, out_res = u_diff, u_res
        pairs = [(g, o) for g, o in zip([*g_gen, *g_res],
                                        [*out_gen, *out_res])
                 if g.requires_grad]
        g_orth = grads_or_zeros(torch.autograd.grad(
            [g for g, _ in pairs], params, [o for _, o in pairs],
            allow_unused=True), params) if pairs else [
                torch.zeros_like(p) for p in params]
        return (1 - cos).detach(), g_orth

    @torch.no_grad()
    def estimate_importance(self, batches, optim_wrapper=None) -> None:
        """Omega_k = mean over ``batches`` of |dL_gen/dtheta_k| at the
        current weights theta0, stored with theta0 in :attr:`anchor`.
        ``batches``: dataloader outputs (un-preprocessed). With several
        processes each batch's gradient is averaged over them *before* the
        absolute value: Omega is that of the global batch, whatever the
        number of processes.

        ``optim_wrapper``: the training one, so that Omega is taken in the
        precision the run trains in (its autocast; under fp16 the loss is
        multiplied by its loss scale and the gradients divided by it, and a
        batch whose scaled gradients overflow is redone at half the scale,
        as the scaler would after a skipped step; the draws are keyed, so
        the redone batch is the same)."""
        params = self.trainable_params()
        total = [torch.zeros_like(p) for p in params]
        scale = 1.0 if optim_wrapper is None else loss_scale_of(optim_wrapper)
        n = 0
        for batch in batches:
            data = self.data_preprocessor(batch, True)
            while True:
                context = contextlib.nullcontext() if optim_wrapper is None \
                    else optim_wrapper.optim_context(self)
                with torch.enable_grad(), context:
                    l_gen = self.diffusion_loss(data['data_samples'].gt_img,
                                                step=n, stream=1)
                    grads = grads_or_zeros(torch.autograd.grad(
                        scale * l_gen, params, allow_unused=True), params)
                grads = global_mean([g.float() / scale for g in grads])
                if scale <= 1.0 or all(bool(torch.isfinite(g).all())
                                       for g in grads):
                    break
                scale /= 2.0
            total = [t + g.abs().to(t.dtype) for t, g in zip(total, grads)]
            n += 1
        if n == 0:
            raise ValueError('estimate_importance got no batch')
        self.anchor.set(params, [t / n for t in total])

    # ------------------------------------------------------------ testing
    def forward_tensor(self, inputs: torch.Tensor,
                       data_samples: Optional[DataSample] = None,
                       **kwargs) -> torch.Tensor:
        """Single deterministic pass at t_mat (with the configured flip
        ensemble / tiling). Samples of one t_mat use the cached modulation."""
        t = self._sample_t_mat(data_samples, inputs.shape[0])
        if not self.training and bool((t == t[0]).all()):
            # constant t_mat: cached modulation, folded into the hooked
            # layers' weights when they are convs / linears
            self.conditioner.freeze_time(int(t[0]))
            self.conditioner.fold()
            if self.adapter is not None:
                self.adapter.set_time(t[:1])
            forward = self.generator
        else:
            def forward(x):
                return self.restore(x, t)
        try:
            return self.tile_flip(forward, inputs)
        finally:
            self.conditioner.set_time(None)  # also unfolds the weights
            if self.adapter is not None:
                self.adapter.set_time(None)
