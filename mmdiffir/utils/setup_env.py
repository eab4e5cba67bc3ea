"""register_all_modules(): import every mmdiffir (and mmagic) module once."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register mmagic's and mmdiffir's modules and set the default scope.

    mmagic's own registration imports ``mmcv.ops`` (five editors use it), so a
    missing ops build is reported here with the fix rather than deep inside
    mmagic.
    """
    try:
        import mmcv.ops  # noqa: F401
    except ImportError as err:
        raise ImportError(
            'mmcv was installed without its compiled ops (mmcv-lite?), which '
            'mmagic needs. Run `bash tools/install.sh` to build mmcv 2.1.0 '
            f'with ops. Original error: {err}') from err
    from mmagic.utils import register_all_modules as register_mmagic
    register_mmagic(init_default_scope=False)

    import mmdiffir.datasets  # noqa: F401
    import mmdiffir.engine  # noqa: F401
    import mmdiffir.evaluation  # noqa: F401
    import mmdiffir.models  # noqa: F401
    import mmdiffir.visualization  # noqa: F401
    from .checkpoint import (register_atomic_local_backend,
                             register_safe_checkpoint_loader)
    register_safe_checkpoint_loader()
    register_atomic_local_backend()

    if init_default_scope:
        current = DefaultScope.get_current_instance()
        if current is None or not DefaultScope.check_instance_created(
                'mmdiffir'):
            DefaultScope.get_instance('mmdiffir', scope_name='mmdiffir')
        elif current.scope_name != 'mmdiffir':
            warnings.warn(f'default scope was "{current.scope_name}"; '
                          'register_all_modules sets it to "mmdiffir"')
            DefaultScope.get_instance(f'mmdiffir-{datetime.datetime.now()}',
                                      scope_name='mmdiffir')
