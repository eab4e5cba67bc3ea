"""Loading mmengine checkpoints safely on torch >= 2.6.

mmengine 0.10.7 loads checkpoints with a bare ``torch.load``; on torch 2.14
that means ``weights_only=True`` and mmengine's own checkpoints (they carry a
``HistoryBuffer`` and numpy scalars/arrays in ``message_hub``) are refused, so
``--resume`` breaks.  Turning ``weights_only`` off would let a checkpoint run
arbitrary pickled code, so instead the local-file loader is replaced by one
that keeps ``weights_only=True`` and allows exactly the types mmengine writes.

Opt-out for files you trust (e.g. third-party checkpoints with other pickled
objects): set the environment variable ``MMDIFFIR_TRUSTED_CHECKPOINTS=1``.
"""
import builtins
import os
import pickle
import re
import sys
import tempfile
from collections import OrderedDict, defaultdict
from typing import Optional

import numpy as np
import torch
from mmengine.fileio import LocalBackend, register_backend
from mmengine.fileio import io as fileio_io
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

TRUST_ENV = 'MMDIFFIR_TRUSTED_CHECKPOINTS'


def _numpy_globals():
    """numpy objects pickled into mmengine's message hub / dataset metainfo."""
    import numpy.core.multiarray as multiarray
    found = [np.ndarray, np.dtype, multiarray._reconstruct, multiarray.scalar]
    # numpy >= 1.25 pickles dtypes as instances of per-type classes.
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        found += [getattr(dtypes, n) for n in dir(dtypes) if n.endswith('DType')]
    return found


def allowed_checkpoint_globals():
    """The explicit allow-list of non-tensor types a checkpoint may contain."""
    return [HistoryBuffer, builtins.getattr, OrderedDict, defaultdict,
            *_numpy_globals()]


def safe_torch_load(filename, map_location=None):
    """``torch.load`` with ``weights_only=True`` and the allow-list above.

    Raises FileNotFoundError / RuntimeError naming the file when it is missing,
    is not a torch checkpoint, or holds objects outside the allow-list.
    """
    filename = os.path.expanduser(str(filename))
    if not os.path.isfile(filename):
        raise FileNotFoundError(f'checkpoint file not found: {filename}')
    _refuse_non_checkpoint(filename)
    if os.environ.get(TRUST_ENV) == '1':
        return torch.load(filename, map_location=map_location,
                          weights_only=False)
    try:
        with torch.serialization.safe_globals(allowed_checkpoint_globals()):
            return torch.load(filename, map_location=map_location,
                              weights_only=True)
    except pickle.UnpicklingError as err:
        first = str(err).strip().splitlines()[0]
        raise RuntimeError(
            f'refused to load checkpoint {filename}: it contains pickled '
            f'objects outside mmdiffir\'s allow-list ({first}). If you trust '
            f'this file, set {TRUST_ENV}=1 to load it without the check.'
        ) from err
    except (RuntimeError, EOFError) as err:
        raise RuntimeError(f'cannot read checkpoint {filename}: it is '
                           f'truncated or not a torch checkpoint ({err})') from err


# torch.save writes a zip archive (b'PK\x03\x04'); files of torch < 1.6
# (and torch.save(..., _use_new_zipfile_serialization=False)) start with a
# pickle protocol-2+ opcode (0x80) or the legacy tar header.
_ZIP_MAGIC = b'PK\x03\x04'


def _refuse_non_checkpoint(filename: str) -> None:
    """Name the usual real failure, a bad download (an HTML error page or a
    text file saved under the ``.pth`` name), before torch's unpickler turns
    it into ``KeyError: 101`` or an allow-list refusal whose advice (turn the
    safe loader off) would be wrong."""
    with open(filename, 'rb') as f:
        head = f.read(512)
    if not head:
        raise RuntimeError(f'not a PyTorch checkpoint (the file is empty): '
                           f'{filename}')
    if head.startswith(_ZIP_MAGIC) or head[:1] == b'\x80':
        return
    text = head.decode('utf-8', 'ignore')
    if len(text) >= 0.9 * len(head) and all(
            c.isprintable() or c in '\r\n\t' for c in text):
        lower = text.lower()
        kind = 'HTML' if '<html' in lower or '<!doctype' in lower else 'text'
        raise RuntimeError(
            f'not a PyTorch checkpoint (looks like {kind}: '
            f'{text.strip()[:60]!r}; a failed download?): {filename}')
    if head[257:262] != b'ustar':  # torch's legacy tar layout
        raise RuntimeError(
            f'not a PyTorch checkpoint (neither a zip archive nor a pickle; '
            f'first bytes {head[:8]!r}): {filename}')


def register_safe_checkpoint_loader():
    """Make mmengine's local-path loads (``load_from``, ``--resume``,
    ``load_checkpoint``) go through :func:`safe_torch_load`."""
    CheckpointLoader.register_scheme(prefixes='', loader=safe_torch_load,
                                     force=True)


class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend with atomic writes.

    mmengine writes a checkpoint with ``open(path, 'wb').write(...)``: a run
    killed during the write leaves a truncated file under the final name
    (and ``--resume`` then picks it). Here the bytes go to a temporary file
    in the same folder, are flushed to disk, and replace the target with one
    ``os.replace``: the path holds either the old or the new file, never a
    partial one.
    """

    def put(self, obj: bytes, filepath) -> None:
        self._atomic_write(filepath, obj, 'wb')

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        self._atomic_write(filepath, obj.encode(encoding), 'wb')

    @staticmethod
    def _atomic_write(filepath, data: bytes, mode: str) -> None:
        filepath = str(filepath)
        folder = os.path.dirname(os.path.abspath(filepath))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=folder, prefix='.' + os.path.basename(filepath) + '.',
            suffix='.tmp')
        try:
            with os.fdopen(fd, mode) as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, filepath)
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise


def register_atomic_local_backend() -> None:
    """Make every local-path write of mmengine's file IO (checkpoints) go
    through :class:`AtomicLocalBackend`."""
    register_backend('local', AtomicLocalBackend, force=True, prefixes='')
    fileio_io.backend_instances.clear()  # drop cached LocalBackend objects


def checkpoint_to_resume(work_dir: str) -> Optional[str]:
    """The checkpoint ``--resume`` (no value) continues from, or None when
    ``work_dir`` holds no checkpoint.

    mmengine reads the path from ``work_dir/last_checkpoint``, which its
    CheckpointHook rewrites in place (``open(..., 'w')``), not atomically:
    a run killed in that instant leaves the file empty, and the resume then
    fails with "checkpoint file not found: ''". The checkpoints themselves
    are written atomically (:class:`AtomicLocalBackend`), so in that case
    (or when the named file or last_checkpoint itself is gone) the newest
    ``iter_N.pth`` / ``epoch_N.pth`` in ``work_dir`` is the one to continue
    from; it is printed, not picked silently.
    """
    last = os.path.join(work_dir, 'last_checkpoint')
    if not os.path.isdir(work_dir):
        return None
    named = None
    if os.path.isfile(last):
        with open(last) as f:
            named = f.read().strip()
        if named and os.path.isfile(named):
            return named
    steps = []
    for name in os.listdir(work_dir):
        match = re.fullmatch(r'(?:iter|epoch)_(\d+)\.pth', name)
        if match:
            steps.append((int(match.group(1)), name))
    if not steps:
        return None
    newest = os.path.join(work_dir, max(steps)[1])
    why = f'{last} is missing' if named is None else \
        f'{last} names {named!r}, which is not a file (a run killed while ' \
        'it was rewritten)'
    print(f'[resume] {why}; resuming from the newest checkpoint in the '
          f'work dir: {newest}', file=sys.stderr)
    return newest


def checkpoint_state_dict(checkpoint: dict, filename: str) -> dict:
    """The model weights of a loaded checkpoint (mmengine's ``state_dict``
    or a bare one; a DDP ``module.`` prefix removed)."""
    state = checkpoint.get('state_dict', checkpoint) \
        if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        raise RuntimeError(f'{filename} holds no state_dict')
    if state and all(k.startswith('module.') for k in state):
        state = {k[len('module.'):]: v for k, v in state.items()}
    return state


def missing_parameters(model: torch.nn.Module, state: dict) -> list:
    """The model's parameters (trained weights, not buffers) that ``state``
    lacks: loading it non-strictly would leave them at their initial
    values (an EEDTP model without its conditioner or adapters is then the
    plain or adapter-less network)."""
    return [n for n, _ in model.named_parameters() if n not in state]


def refuse_incomplete_checkpoint(model: torch.nn.Module,
                                 filename: str) -> None:
    """RuntimeError naming the missing keys when the checkpoint lacks any
    parameter of ``model``; for tools/test.py, where mmengine's
    non-strict ``load_from`` would only warn. (Training keeps the partial
    loads it needs, e.g. a TMDDP checkpoint into an MTUL model:
    CheckpointCompatibilityHook.)"""
    state = checkpoint_state_dict(safe_torch_load(filename, 'cpu'), filename)
    missing = missing_parameters(model, state)
    if missing:
        parts = sorted({k.split('.')[0] for k in missing})
        raise RuntimeError(
            f'checkpoint {filename} lacks {len(missing)} trained weights of '
            f'{type(model).__name__} ({", ".join(parts)}), which would stay '
            f'at their initial values: {missing[:8]}'
            f'{" ..." if len(missing) > 8 else ""}. Use the checkpoint of '
            'this model (or a config that matches the checkpoint).')
