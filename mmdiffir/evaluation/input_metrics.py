"""Metrics of the degraded input itself, the baseline a restorer must beat.

mmagic's PSNR/SSIM always score ``output.pred_img``; BaseEditModel also puts
the (de-normalised) input on each data sample as ``input``, so these score
that instead, giving the "noisy input" row of a benchmark in the same table.
"""
from mmagic.evaluation.metrics import PSNR, SSIM

from mmdiffir.registry import METRICS


class _ScoresInput:
    """Mixin: score the de-normalised input instead of the prediction."""

    def process(self, data_batch, data_samples):
        swapped = []
        for data in data_samples:
            if 'input' not in data:
                raise KeyError(f'{type(self).__name__} needs the model to put '
                               'the de-normalised input on data samples as '
                               '"input" (BaseEditModel.convert_to_datasample '
                               'does)')
            swapped.append({**data, 'output': {self.pred_key: data['input']}})
        super().process(data_batch, swapped)


@METRICS.register_module()
class InputPSNR(_ScoresInput, PSNR):
    """PSNR of the degraded input against GT (same args as mmagic's PSNR)."""
    metric = 'InputPSNR'


@METRICS.register_module()
class InputSSIM(_ScoresInput, SSIM):
    """SSIM of the degraded input against GT (same args as mmagic's SSIM)."""
    metric = 'InputSSIM'
