"""A fresh optimizer when DiffIR stage 2's encoder warm-up ends."""
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict

from mmdiffir.registry import HOOKS


def clear_optimizer_state(runner) -> None:
    """Drop every optimizer's per-parameter state (Adam moments and step
    counts), as if the optimizers had just been built."""
    wrappers = runner.optim_wrapper.values() if isinstance(
        runner.optim_wrapper, OptimWrapperDict) else [runner.optim_wrapper]
    for wrapper in wrappers:
        wrapper.optimizer.state.clear()


@HOOKS.register_module()
class FreshOptimizerAfterWarmupHook(Hook):
    """The released DiffIR stage-2 recipe trains the encoder warm-up
    (CPEN_S2 + denoiser, ``model.encoder_iter`` iterations) on an Adam of its
    own and the joint phase on a second Adam over all parameters, which has
    never stepped when the joint phase begins. One optimizer whose state is
    cleared at the first joint iteration is the same thing: during the
    warm-up the DIRformer gets no gradient (Adam keeps no state for it), and
    the joint phase starts with zero moments and step 0 for every parameter,
    so its bias correction starts over as the reference's does.

    A second mmengine optimizer (``OptimWrapperDict``) would need a custom
    ``train_step``, which ``MMDistributedDataParallel`` bypasses; clearing
    the state keeps the model's step inside ``forward_train``.

    The iteration is read from the model (``encoder_iter``), so the fact
    lives in one place; the hook is one of the ``default_hooks`` of
    ``configs/_base_/default_runtime.py`` and does nothing for models
    without a warm-up. ``enabled=False``
    (``--cfg-options default_hooks.fresh_optimizer_after_warmup.enabled=False``)
    keeps one optimizer state across the boundary instead: an option, not
    the released recipe (mmengine lets only its own default hooks be None). A resumed run that starts exactly at the boundary
    clears the state too, as the uninterrupted run does there; a later
    resume keeps the checkpoint's state.
    """
    priority = 'HIGH'  # before the optimizer step of that iteration

    def __init__(self, enabled: bool = True):
        self.enabled = bool(enabled)
        self.encoder_iter = 0

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        # 0 / absent: no warm-up, nothing to do (the hook is a default hook
        # of every config, so it must not fail on other models)
        self.encoder_iter = int(getattr(model, 'encoder_iter', 0) or 0)
        if not self.enabled:
            self.encoder_iter = 0

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        if self.encoder_iter and runner.iter == self.encoder_iter:
            clear_optimizer_state(runner)
            print_log(f'iter {runner.iter}: encoder warm-up over, joint '
                      'phase starts with a fresh optimizer state',
                      logger='current')
