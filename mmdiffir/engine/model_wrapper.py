"""A distributed wrapper for models that make their own gradients."""
import torch.distributed as dist
from mmengine.registry import MODEL_WRAPPERS as ROOT_MODEL_WRAPPERS
from torch import nn

from mmdiffir.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class ManualGradSyncWrapper(nn.Module):
    """Distributed training for models whose ``train_step`` computes its
    gradients with ``torch.autograd.grad`` and averages them over processes
    itself (EEDTPRestorer, in ``compute_gradients`` via
    ``models/editors/eedtp/gradient_step.global_mean``).

    Why not mmengine's ``MMDistributedDataParallel``: it calls the model's
    ``forward(mode='loss')`` and one ``backward`` of the summed loss, which
    cannot express EEDTP's combination of two separate gradients, and DDP's
    gradient hooks never fire under ``autograd.grad``. This wrapper only
    makes the processes start from the same weights (broadcast from rank 0)
    and hands the steps to the model.

    Extra keyword arguments (``device_ids``, ``broadcast_buffers``, ...) that
    launchers pass to DDP-like wrappers are accepted and ignored.
    """

    def __init__(self, module: nn.Module, **ignored):
        super().__init__()
        self.module = module
        if dist.is_available() and dist.is_initialized():
            for t in list(module.parameters()) + list(module.buffers()):
                dist.broadcast(t.data, src=0)

    def train_step(self, data, optim_wrapper):
        return self.module.train_step(data, optim_wrapper)

    def val_step(self, data):
        return self.module.val_step(data)

    def test_step(self, data):
        return self.module.test_step(data)


# mmengine's Runner looks ``model_wrapper_cfg.type`` up in its *root*
# registry, which resolves scopes only one level down (mmagic), never
# mmdiffir (a child of mmagic's): the wrapper is registered there as well.
ROOT_MODEL_WRAPPERS.register_module(module=ManualGradSyncWrapper)
