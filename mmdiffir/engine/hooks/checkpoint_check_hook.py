"""Refuse a checkpoint of another model before it is loaded."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmdiffir.registry import HOOKS


@HOOKS.register_module()
class CheckpointCompatibilityHook(Hook):
    """Before ``load_from`` / ``--resume`` weights reach the model, compare
    the checkpoint's ``state_dict`` with the model's.

    mmengine loads ``load_from`` non-strictly and only *warns* about missing
    keys and shape mismatches, so a checkpoint of another model (another
    backbone, another width) starts a run from random weights with a few
    lines of warnings. Partial loads are legitimate here (a TMDDP checkpoint
    into an MTUL model gains adapters; a GEF checkpoint lacks nothing), so
    this hook refuses only what cannot be meant:

    - a parameter present in both with different shapes;
    - no parameter of the model's ``generator`` at all in the checkpoint
      (when the model has one).

    The error names the checkpoint and the first offending keys.
    """
    priority = 'VERY_HIGH'

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        state = checkpoint.get('state_dict', checkpoint)
        own = model.state_dict()
        source = getattr(runner, '_load_from', None) or \
            'the checkpoint being resumed'
        # EEDTP's anchor buffers are derived state indexed by trainable
        # parameter (re-estimated by ImportanceEstimationHook): a model that
        # trains another parameter set (e.g. adapters only) legitimately
        # differs there
        mismatched = [
            f'{k}: checkpoint {tuple(v.shape)} vs model {tuple(own[k].shape)}'
            for k, v in state.items()
            if k in own and not k.startswith('anchor.')
            and hasattr(v, 'shape') and v.shape != own[k].shape
        ]
        if mismatched:
            raise ValueError(
                f'checkpoint {source} does not fit {type(model).__name__}: '
                f'{len(mismatched)} shape mismatches, e.g. '
                f'{"; ".join(mismatched[:3])}. Is it from another model or '
                f'width?')
        generator = [k for k in own if k.startswith('generator.')]
        if generator and not any(k in state for k in generator):
            theirs = list(state)[:3]
            raise ValueError(
                f'checkpoint {source} holds none of the weights of '
                f'{type(model).__name__}.generator (its keys start with '
                f'{theirs}): it is from another model')
