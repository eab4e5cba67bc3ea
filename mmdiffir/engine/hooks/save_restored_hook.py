"""Save every restored test image, one folder per benchmark."""
import os.path as osp
import re

import numpy as np
from mmengine.hooks import Hook

from mmdiffir.registry import HOOKS
from mmdiffir.utils.image_file import write_image


@HOOKS.register_module()
class SaveRestoredHook(Hook):
    """Write each test sample's restored image as an 8-bit PNG to
    ``<out_dir>/<benchmark>/<name of its GT (or input) file>.png``.

    ``<benchmark>`` is the prefix of the loader's first metric (e.g.
    ``CBSD68``, ``rain``), else ``set<index>``. Why a hook and not mmagic's
    visualizer: the visualizer saves input | output | GT grids named by the
    GT path only, so benchmarks sharing file names overwrite each other, and
    the restored image alone is what a paper's figures and external metrics
    need.
    """
    priority = 'LOW'

    def __init__(self, out_dir: str):
        self.out_dir = out_dir

    @staticmethod
    def _benchmark(runner) -> str:
        """The benchmark being tested: mmagic's MultiTestLoop points
        ``evaluator`` at the current loader's evaluator."""
        loop = runner.test_loop
        evaluator = getattr(loop, 'evaluator', None)
        metrics = getattr(evaluator, 'metrics', None) or []
        prefix = getattr(metrics[0], 'prefix', None) if metrics else None
        if not prefix:
            evaluators = list(getattr(loop, 'evaluators', None) or [])
            index = evaluators.index(evaluator) if evaluator in evaluators \
                else 0
            prefix = f'set{index}'
        return re.sub(r'[^\w.+-]', '_', prefix.split('/')[0])

    def after_test_iter(self, runner, batch_idx: int, data_batch=None,
                        outputs=None) -> None:
        folder = osp.join(self.out_dir, self._benchmark(runner))
        for sample in outputs or []:
            # mmagic's data preprocessor hands predictions back in BGR, the
            # order its metrics and visualizer (and cv2.imwrite) expect
            pred = sample.output.pred_img
            bgr = pred.detach().cpu().float().numpy().transpose(1, 2, 0)
            bgr = np.clip(np.round(bgr), 0, 255).astype(np.uint8)
            source = sample.metainfo.get('gt_path') or \
                sample.metainfo.get('img_path') or f'{batch_idx:06d}'
            stem = osp.splitext(osp.basename(str(source)))[0]
            write_image(osp.join(folder, stem + '.png'),
                        np.ascontiguousarray(bgr))
