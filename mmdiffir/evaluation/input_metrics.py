"""Metrics of the degraded input itself, the baseline a restorer must beat.

mmagic's PSNR/SSIM always score ``output.pred_img``; BaseEditModel also puts
the (de-normalised) input on each data sample as ``input``, so these score
that instead, giving the "noisy input" row of a benchmark in the same table.
"""
from mmagic.evaluation.metrics import PSNR, SSIM

from mmdiffir.registry import METRICS


def _input_as_prediction(data_samples, pred_key):
    swapped = []
    for data in data_samples:
        if 'input' not in data:
            raise KeyError('InputPSNR/InputSSIM need the model to put the '
                           'de-normalised input on data samples as "input" '
                           '(BaseEditModel.convert_to_datasample does)')
        swapped.append({**data, 'output': {pred_key: data['input']}})
    return swapped


@METRICS.register_module()
class InputPSNR(PSNR):
    """PSNR of the degraded input against GT (same args as mmagic's PSNR)."""
    metric = 'InputPSNR'

    def process(self, data_batch, data_samples):
        super().process(data_batch,
                        _input_as_prediction(data_samples, self.pred_key))


@METRICS.register_module()
class InputSSIM(SSIM):
    """SSIM of the degraded input against GT (same args as mmagic's SSIM)."""
    metric = 'InputSSIM'

    def process(self, data_batch, data_samples):
        super().process(data_batch,
                        _input_as_prediction(data_samples, self.pred_key))
