"""tools/deployment/export_onnx.py: EEDTP multi-task (conditioning as
constants, adapters included) and a plain baseline to ONNX with dynamic
H/W; onnxruntime == PyTorch to 1e-4 on real photos."""
import os
import sys

import numpy as np
import pytest

from tests.helpers import REPO
from tests.test_apis.builders import MTUL_CPU, PLAIN_CPU, make_checkpoint

pytest.importorskip('onnxruntime')
sys.path.insert(0, os.path.join(REPO, 'tools', 'deployment'))
import export_onnx  # noqa: E402


def photos_of(real_photos):
    """Two real photos at two sizes (one not a multiple of 8 or 16)."""
    a = real_photos[0]
    b = real_photos[1][:75, :101]
    return {n: np.ascontiguousarray(p.transpose(2, 0, 1)[None] / 255.0,
                                    dtype=np.float32)
            for n, p in (('a', a), ('b', b))}


@pytest.fixture(scope='module')
def mtul_ckpt(tmp_path_factory, registered):
    return make_checkpoint(MTUL_CPU, tmp_path_factory.mktemp('onnx') / 'm.pth')


def test_eedtp_multitask_round_trip(mtul_ckpt, tmp_path, real_photos):
    import onnx

    from mmdiffir.apis import RestorationInferencer
    photos = photos_of(real_photos)
    outs = {}
    for task in ('rain', 'haze'):
        inf = RestorationInferencer(MTUL_CPU, mtul_ckpt, task=task,
                                    device='cpu')
        path = str(tmp_path / f'{task}.onnx')
        info = export_onnx.export(inf, path)
        assert info['inputs'] == ['input']  # no time input
        graph = onnx.load(path).graph
        assert [d.dim_param for d in
                graph.input[0].type.tensor_type.shape.dim[2:]] == \
            ['height', 'width']
        diffs = export_onnx.verify(inf, path, photos)
        assert max(diffs.values()) < 1e-4, diffs
        # the adapters' input-dependent routing is exported as ops
        assert 'Softmax' in {n.op_type for n in graph.node}
        sess = export_onnx.ort_session(path)
        outs[task] = sess.run(None, {'input': photos['a']})[0]
        # the PyTorch model is left unfrozen and unchanged
        assert inf.model.conditioner._frozen is None
    # the t_mat is baked in: the two graphs restore differently
    assert np.abs(outs['rain'] - outs['haze']).max() > 1e-3


def test_cli_plain_baseline_with_verify_and_latency(registered, tmp_path,
                                                    real_photos, save_rgb,
                                                    capsys):
    ckpt = make_checkpoint(PLAIN_CPU, tmp_path / 'plain.pth')
    for i in range(2):
        save_rgb(tmp_path / 'photos' / f'{i}.png', real_photos[i])
    out = tmp_path / 'plain.onnx'
    status = export_onnx.main([PLAIN_CPU, ckpt, str(out), '--verify',
                               str(tmp_path / 'photos'), '--benchmark',
                               '--sizes', '48', '--repeats', '1'])
    text = capsys.readouterr().out
    assert status == 0 and out.is_file()
    assert 'verification passed' in text
    assert '| 48x48 |' in text


def test_sampling_models_are_refused(registered):
    from mmdiffir.registry import MODELS
    for name in ('DiffIRS2', 'DiffIRS1', 'DiffUIR'):
        cls = MODELS.get(name)
        if cls is None:
            continue  # a method still being written
        with pytest.raises(export_onnx.OnnxExportError,
                           match='one deterministic'):
            export_onnx.check_single_pass(cls)
    export_onnx.check_single_pass(MODELS.get('EEDTPRestorer'))
    export_onnx.check_single_pass(MODELS.get('BaseEditModel'))
