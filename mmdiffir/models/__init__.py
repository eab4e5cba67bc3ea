"""Models live here by method (editors/eedtp, editors/diffir, editors/diffuir)
with shared backbones/, diffusion/, conditioning/ and losses/ packages; the
plain baselines use mmagic's backbones through editors/plain_restorer.py
(BaseEditModel with test_cfg's tiles / flips)."""
from .backbones import *  # noqa: F401,F403
from .conditioning import *  # noqa: F401,F403
from .diffusion import *  # noqa: F401,F403
from .editors import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
