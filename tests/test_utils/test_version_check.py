from importlib.metadata import PackageNotFoundError

import pytest

from mmdiffir import check_stack_versions


def _versions(**found):
    def get(dist):
        if dist not in found:
            raise PackageNotFoundError(dist)
        return found[dist]
    return get


def test_supported_stack_passes():
    check_stack_versions(get_version=_versions(
        mmengine='0.10.7', mmcv='2.1.0', mmagic='1.2.0'))


def test_every_problem_is_named_with_the_fix():
    with pytest.raises(ImportError) as err:
        check_stack_versions(get_version=_versions(mmengine='0.9.1',
                                                   mmcv='2.2.0'))
    msg = str(err.value)
    assert 'mmengine 0.9.1' in msg and 'mmengine>=0.10.0,<0.11.0' in msg
    assert 'mmcv 2.2.0' in msg and 'mmcv>=2.0.0,<2.2.0' in msg
    assert 'mmagic is not installed' in msg
    assert 'tools/install.sh' in msg


def test_installed_stack_is_supported():
    check_stack_versions()  # the environment the tests run in
