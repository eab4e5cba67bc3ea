from .checkpoint import (AtomicLocalBackend, allowed_checkpoint_globals,
                         register_atomic_local_backend,
                         register_safe_checkpoint_loader, safe_torch_load)
from .setup_env import register_all_modules

__all__ = ['register_all_modules', 'safe_torch_load',
           'register_safe_checkpoint_loader', 'allowed_checkpoint_globals',
           'AtomicLocalBackend', 'register_atomic_local_backend']
