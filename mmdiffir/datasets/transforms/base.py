"""Common machinery of the synthetic degradations.

Why not mmagic's ``RandomNoise``/``RandomBlur``/``RandomJPEGCompression``:
they degrade ``keys`` in place and draw from numpy's global RNG. Building
pairs from clean photos needs the clean copy kept (``key_in`` -> ``key_out``)
and, for test sets, a degradation that is the same for an image whatever the
order, worker or rank that loads it (``seed`` + the image's key).
"""
import zlib
from abc import abstractmethod
from typing import Optional, Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform

Range = Union[float, Sequence[float]]


def as_range(value: Range, name: str, low: Optional[float] = None,
             high: Optional[float] = None):
    """A scalar or a (low, high) pair -> (low, high), validated; ``low`` and
    ``high`` (optional) bound the values allowed."""
    if np.isscalar(value):
        pair = float(value), float(value)
    elif len(value) != 2 or value[0] > value[1]:
        raise ValueError(f'{name} must be a number or a (low, high) pair with '
                         f'low <= high, got {value!r}')
    else:
        pair = float(value[0]), float(value[1])
    if (low is not None and pair[0] < low) or (high is not None
                                               and pair[1] > high):
        bounds = f'[{low if low is not None else "-inf"}, ' \
                 f'{high if high is not None else "inf"}]'
        raise ValueError(f'{name} must lie in {bounds}, got {value!r}')
    return pair


class Degradation(BaseTransform):
    """Base of the degradation transforms.

    Reads ``results[key_in]`` (HWC, uint8 or float in [0, 255], any channel
    count), writes ``results[key_out]`` as float32 in [0, 255] and records the
    parameters drawn in ``results['degradation']`` (a list, one entry per
    degradation applied).

    Args:
        key_in (str): the clean image key. Default ``'gt'``.
        key_out (str): where the degraded image goes. Default ``'img'``. To
            chain degradations, later ones use ``key_in='img'``.
        seed (int, optional): None draws from numpy's global RNG (mmengine
            seeds it per worker: reproducible training). An int makes the
            result a function of (seed, image key): fixed test sets.
    """

    def __init__(self, key_in: str = 'gt', key_out: str = 'img',
                 seed: Optional[int] = None):
        self.key_in = key_in
        self.key_out = key_out
        self.seed = seed

    def rng(self, results: dict) -> np.random.Generator:
        if self.seed is None:
            return np.random.default_rng(np.random.randint(0, 2**31 - 1))
        ident = str(results.get('key', results.get(f'{self.key_in}_path', '')))
        # The transform's class salts the stream: otherwise two degradations
        # chained with the same seed would draw the same uniforms, e.g. the
        # noise sigma and the JPEG quality perfectly correlated across images.
        return np.random.default_rng([
            self.seed,
            zlib.crc32(ident.encode()),
            zlib.crc32(type(self).__name__.encode())
        ])

    @abstractmethod
    def degrade(self, img: np.ndarray, rng: np.random.Generator):
        """img: float32 HWC in [0, 1]. Returns (degraded image, params dict)."""

    def transform(self, results: dict) -> dict:
        if self.key_in not in results:
            raise KeyError(f'{type(self).__name__}: no "{self.key_in}" image '
                           f'in the sample (keys: {sorted(results)})')
        src = results[self.key_in]
        img = src.astype(np.float32) / 255.0
        squeeze = img.ndim == 2
        if squeeze:
            img = img[..., None]
        out, params = self.degrade(img, self.rng(results))
        out = np.clip(out, 0.0, 1.0) * 255.0
        if squeeze:
            out = out[..., 0]
        results[self.key_out] = out.astype(np.float32)
        if self.key_out != self.key_in:
            for meta in ('channel_order', 'color_type'):
                if f'{self.key_in}_{meta}' in results:
                    results[f'{self.key_out}_{meta}'] = results[
                        f'{self.key_in}_{meta}']
            results[f'ori_{self.key_out}_shape'] = results[self.key_out].shape
        results.setdefault('degradation', []).append(
            dict(type=type(self).__name__, **params))
        return results

    def __repr__(self):
        args = ', '.join(f'{k}={v!r}' for k, v in vars(self).items()
                         if not k.startswith('_'))
        return f'{type(self).__name__}({args})'
