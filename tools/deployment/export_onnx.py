"""Export a trained single-pass restorer to ONNX and check it.

    python tools/deployment/export_onnx.py CONFIG CHECKPOINT OUT.onnx \
        [--task rain | --t-mat 8] [--verify IMG_OR_DIR ...] [--benchmark]

What is exported: RGB float32 (1, 3, H, W) in [0, 1] -> restored RGB
float32 (1, 3, H, W) in [0, 1] (unclipped), H and W dynamic. The graph holds
the model's input normalisation and padding, so it is used like any other
image-to-image network.

EEDTP: the task's t_mat is fixed at export. The TimeConditioner's
``freeze_time`` computes every hooked module's (1 + scale, shift) once and,
where they are foldable (convs / linears, the default norm placement),
``fold`` merges them into the weights;
either way they are constants of the graph, which has no time input. The
TaskAdapter's routing depends on the image (pooled features), so its
router and experts are exported as ordinary ops, with the t_mat embedding a
constant. Plain baselines export as they are. Models that sample noise at
test time (DiffIR S2, DiffUIR) or read the GT (DiffIR S1) are refused: they
are not one deterministic pass.

The legacy TorchScript exporter (``dynamo=False``) is used: it needs no
extra package (the torch.export-based one needs onnxscript) and it traces
the forward hooks that carry the conditioning.
"""
import argparse
import os
import os.path as osp
import sys
import time
import warnings
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from torch import nn

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)


class OnnxExportError(RuntimeError):
    """The model cannot be exported as one deterministic pass."""


def check_single_pass(model) -> None:
    """Raise OnnxExportError unless ``model`` (an instance or a class)
    restores in one deterministic pass of its generator: EEDTP, the plain
    baselines' PlainRestorer, or a model using BaseEditModel's plain
    ``forward_tensor`` (the generator alone)."""
    from mmagic.models import BaseEditModel

    from mmdiffir.models.editors import EEDTPRestorer, PlainRestorer
    cls = model if isinstance(model, type) else type(model)
    if issubclass(cls, (EEDTPRestorer, PlainRestorer)):
        return
    if cls.forward_tensor is not BaseEditModel.forward_tensor:
        raise OnnxExportError(
            f'{cls.__name__} does not restore in one deterministic '
            'pass of its generator (it samples noise or needs the GT at '
            'test time); only single-pass restorers (EEDTP, the plain '
            'baselines) are exported to ONNX')


class SinglePassGraph(nn.Module):
    """The traced module: normalise, pad as the data preprocessor does,
    run the generator with whatever is attached to it, crop, denormalise.

    It owns the whole restorer so that the conditioner's and adapters'
    parameters are parameters of the traced module (the tracer refuses
    outside parameters as constants).
    """

    def __init__(self, restorer: nn.Module):
        super().__init__()
        self.restorer = restorer
        pre = restorer.data_preprocessor
        mean = getattr(pre, 'mean', None)
        if mean is None or not getattr(pre, '_enable_normalize', True):
            mean, std = torch.zeros(3, 1, 1), torch.ones(3, 1, 1)
        else:
            std = pre.std
        self.register_buffer('mean', mean.detach().clone().reshape(1, -1, 1, 1))
        self.register_buffer('std', std.detach().clone().reshape(1, -1, 1, 1))
        self.divisor = int(getattr(pre, 'pad_size_divisor', 1) or 1)
        self.pad_value = float(getattr(pre, 'pad_value', 0) or 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        z = (x * 255.0 - self.mean) / self.std
        if self.divisor > 1:
            ph, pw = (-h) % self.divisor, (-w) % self.divisor
            z = nn.functional.pad(z, (0, pw, 0, ph), value=self.pad_value)
        # Grad mode on while tracing: TimeConditioner modulates in place
        # (addcmul(out=)) under no_grad, which has no ONNX symbolic; with
        # grad mode on it takes the out-of-place path. No parameter requires
        # grad here, so no autograd graph is built.
        with torch.enable_grad():
            y = self.restorer.generator(z)
        y = y[..., :h, :w]
        return (y * self.std + self.mean) / 255.0


class _FixedTime:
    """Context: EEDTP's conditioning frozen at one t_mat (cached / folded
    constants) and the adapters' time set; undone on exit so the model
    stays usable (and unfolded) afterwards."""

    def __init__(self, model, t_mat: Optional[int]):
        self.model, self.t = model, t_mat

    def __enter__(self):
        if self.t is None:
            return self
        self.model.conditioner.freeze_time(self.t)
        self.folded = self.model.conditioner.fold()
        if getattr(self.model, 'adapter', None) is not None:
            self.model.adapter.set_time(torch.tensor([self.t]))
        return self

    def __exit__(self, *exc):
        if self.t is None:
            return
        self.model.conditioner.set_time(None)  # also unfolds the weights
        if getattr(self.model, 'adapter', None) is not None:
            self.model.adapter.set_time(None)


def export(inferencer, out_path: str, opset: int = 17,
           example_hw=(64, 64)) -> Dict[str, object]:
    """Trace ``inferencer``'s model (at its t_mat) to ``out_path``.

    Returns:
        dict: ``inputs`` (graph input names), ``folded`` (conditioning
        merged into conv/linear weights, False when it is cached constants
        applied after blocks), ``seconds``.
    """
    import onnx
    model = inferencer.model
    check_single_pass(model)
    graph = SinglePassGraph(model).cpu().eval()
    flags = {p: p.requires_grad for p in model.parameters()}
    model.requires_grad_(False)
    os.makedirs(osp.dirname(osp.abspath(out_path)), exist_ok=True)
    example = torch.rand(1, 3, *example_hw)
    t0 = time.perf_counter()
    try:
        with _FixedTime(model, inferencer.t_mat) as fixed, torch.no_grad(), \
                warnings.catch_warnings():
            # shape checks in the hooks become constants: batch size 1
            warnings.simplefilter('ignore', torch.jit.TracerWarning)
            warnings.simplefilter('ignore', DeprecationWarning)
            torch.onnx.export(
                graph, (example,), out_path, dynamo=False,
                input_names=['input'], output_names=['output'],
                dynamic_axes={'input': {2: 'height', 3: 'width'},
                              'output': {2: 'height', 3: 'width'}},
                opset_version=opset, do_constant_folding=True)
            folded = getattr(fixed, 'folded', False)
    finally:
        for p, flag in flags.items():
            p.requires_grad_(flag)
        model.to(inferencer.device)
    proto = onnx.load(out_path)
    onnx.checker.check_model(proto)
    inputs = [i.name for i in proto.graph.input]
    if inputs != ['input']:
        raise OnnxExportError(f'{out_path}: expected one graph input, got '
                              f'{inputs}')
    return dict(inputs=inputs, folded=folded,
                seconds=time.perf_counter() - t0)


def ort_session(path: str, threads: Optional[int] = None):
    """A CPU onnxruntime session (``threads`` intra-op threads; default
    torch's thread count, so that both runtimes get the same cores)."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or torch.get_num_threads()
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(path, opts,
                                providers=['CPUExecutionProvider'])


def pytorch_output(inferencer, rgb01: np.ndarray) -> np.ndarray:
    """The PyTorch path the inferencer runs (no tiling, no flips):
    (1, 3, H, W) in [0, 1] -> same, clipped (as the inferencer writes)."""
    x = torch.from_numpy(rgb01) * 255.0
    return (inferencer.restore_tensor(x) / 255.0).cpu().numpy()


def load_photos(sources: Sequence[str], limit: int = 4,
                max_side: Optional[int] = None) -> Dict[str, np.ndarray]:
    """name -> (1, 3, H, W) float32 RGB in [0, 1] of image files or folders
    (the first ``limit`` of each), centre-cropped to ``max_side`` if given."""
    from mmdiffir.utils.image_file import list_inputs, read_image
    paths: List[str] = []
    for s in sources:
        paths += list_inputs(s)[:limit]
    if not paths:
        raise FileNotFoundError(f'no image in {list(sources)}')
    out = {}
    for p in paths:
        rgb = read_image(p).rgb
        if max_side:
            h, w = rgb.shape[:2]
            th, tw = min(h, max_side), min(w, max_side)
            rgb = rgb[(h - th) // 2:(h - th) // 2 + th,
                      (w - tw) // 2:(w - tw) // 2 + tw]
        out[osp.relpath(p)] = np.ascontiguousarray(
            rgb.transpose(2, 0, 1)[None] / 255.0, dtype=np.float32)
    return out


def verify(inferencer, onnx_path: str,
           photos: Dict[str, np.ndarray]) -> Dict[str, float]:
    """Max |onnxruntime - PyTorch| per photo, in [0, 1] units, on the
    graph's output clipped to [0, 1] as the inferencer clips its own."""
    sess = ort_session(onnx_path)
    diffs = {}
    for name, x in photos.items():
        [y] = sess.run(None, {'input': x})
        y = np.clip(y, 0., 1.)
        ref = pytorch_output(inferencer, x)
        if y.shape != ref.shape:
            raise AssertionError(f'{name}: onnxruntime shape {y.shape} != '
                                 f'PyTorch {ref.shape}')
        diffs[name] = float(np.abs(y - ref).max())
    return diffs


def latency(inferencer, onnx_path: str, sizes: Sequence[int],
            repeats: int = 10) -> List[dict]:
    """Median seconds of PyTorch (the inferencer's path, conditioning cached)
    and onnxruntime per image size, interleaved (the benchmark harness's interleaved_median)."""
    sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis_tools'))
    from bench_harness import interleaved_median
    sess = ort_session(onnx_path)
    rows = []
    for s in sizes:
        x = np.random.default_rng(0).random((1, 3, s, s), dtype=np.float32)
        t = torch.from_numpy(x) * 255.0
        med = interleaved_median({
            'pytorch': lambda: inferencer.restore_tensor(t),
            'onnxruntime': lambda: sess.run(None, {'input': x}),
        }, repeats=repeats)
        rows.append(dict(size=s, pytorch_ms=med['pytorch'] * 1e3,
                         onnxruntime_ms=med['onnxruntime'] * 1e3))
    return rows


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('config', help='config file or model-index.yml name')
    p.add_argument('checkpoint', help='checkpoint file')
    p.add_argument('out', help='output .onnx file')
    p.add_argument('--task', help='EEDTP task name (e.g. rain) -> t_mat')
    p.add_argument('--t-mat', type=int, help='EEDTP time step')
    p.add_argument('--opset', type=int, default=17)
    p.add_argument('--verify', nargs='*', default=None,
                   help='images / folders to compare onnxruntime with '
                   'PyTorch on (default: data/denoise/Kodak24 when present)')
    p.add_argument('--verify-limit', type=int, default=3)
    p.add_argument('--max-side', type=int, default=None,
                   help='centre-crop verification photos to this side')
    p.add_argument('--atol', type=float, default=1e-4,
                   help='allowed max |ORT - PyTorch| in [0, 1] units')
    p.add_argument('--benchmark', action='store_true',
                   help='report CPU latency of PyTorch and onnxruntime')
    p.add_argument('--sizes', type=int, nargs='+', default=[256, 512])
    p.add_argument('--repeats', type=int, default=10)
    p.add_argument('--threads', type=int, default=None,
                   help='torch / onnxruntime threads (default: torch\'s)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    from mmdiffir.apis import RestorationInferencer
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    inf = RestorationInferencer(args.config, args.checkpoint, device='cpu',
                                task=args.task, t_mat=args.t_mat, flip=1)
    inf.tile = None  # the graph is one pass over the whole image
    info = export(inf, args.out, args.opset)
    if inf.t_mat is None:
        how = 'no time conditioning'
    else:
        how = f't_mat {inf.t_mat}, conditioning ' + (
            'folded into weights' if info['folded'] else
            'cached as constants')
    print(f'exported {args.out} ({how}, graph inputs {info["inputs"]}, '
          f'{info["seconds"]:.1f} s)')
    sources = args.verify
    if sources is None:
        default = osp.join(ROOT, 'data', 'denoise', 'Kodak24')
        sources = [default] if osp.isdir(default) else []
    status = 0
    if sources:
        photos = load_photos(sources, args.verify_limit, args.max_side)
        diffs = verify(inf, args.out, photos)
        for name, d in diffs.items():
            shape = photos[name].shape[2:]
            print(f'  {name} {shape[0]}x{shape[1]}: max |ORT - PyTorch| = '
                  f'{d:.2e}')
        worst = max(diffs.values())
        ok = worst <= args.atol
        print(f'verification {"passed" if ok else "FAILED"}: max {worst:.2e}'
              f' (atol {args.atol:g})')
        status = 0 if ok else 1
    else:
        print('no verification photos (pass --verify IMG_OR_DIR)')
    if args.benchmark:
        print(f'CPU latency, median of {args.repeats} (threads='
              f'{torch.get_num_threads()}):')
        print('| size | PyTorch (ms) | onnxruntime (ms) |')
        print('|---|---|---|')
        for r in latency(inf, args.out, args.sizes, args.repeats):
            print(f'| {r["size"]}x{r["size"]} | {r["pytorch_ms"]:.1f} | '
                  f'{r["onnxruntime_ms"]:.1f} |')
    return status


if __name__ == '__main__':
    sys.exit(main())
