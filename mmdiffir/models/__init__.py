"""Models live here by method (editors/eedtp, editors/diffir, editors/diffuir)
with shared backbones/, diffusion/, conditioning/ and losses/ packages; the
plain baselines use mmagic's BaseEditModel and backbones directly."""
from .backbones import *  # noqa: F401,F403
from .conditioning import *  # noqa: F401,F403
from .diffusion import *  # noqa: F401,F403
from .editors import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
