"""mmdiffir: diffusion training paradigms for image restoration (OpenMMLab style).

Importing the package checks that the OpenMMLab stack it is built on has the
versions it was written for, and says what to do when it has not.
"""
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

from .version import __version__

# (distribution, lowest allowed, first refused): the stack fixed by the product.
_REQUIRED = (
    ('mmengine', '0.10.0', '0.11.0'),
    ('mmcv', '2.0.0', '2.2.0'),  # mmagic 1.2.0 asserts mmcv<2.2.0
    ('mmagic', '1.2.0', '1.3.0'),
)


def _parse(v: str):
    parts = []
    for p in v.split('+')[0].split('.')[:3]:
        digits = ''.join(ch for ch in p if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts + [0] * (3 - len(parts)))


def check_stack_versions(required=_REQUIRED, get_version=_dist_version):
    """Raise ImportError naming every package of the stack that is missing or
    outside its supported range, with the command that fixes it."""
    problems = []
    for dist, low, high in required:
        try:
            found = get_version(dist)
        except PackageNotFoundError:
            problems.append(f'{dist} is not installed (need >={low},<{high})')
            continue
        if not _parse(low) <= _parse(found) < _parse(high):
            problems.append(f'{dist} {found} is installed but mmdiffir needs '
                            f'{dist}>={low},<{high}')
    if problems:
        raise ImportError(
            'mmdiffir cannot run on this environment:\n  - ' +
            '\n  - '.join(problems) +
            '\nRun `bash tools/install.sh` (it builds a venv with the pinned '
            'stack; see requirements/constraints.txt).')


check_stack_versions()

__all__ = ['__version__', 'check_stack_versions']
