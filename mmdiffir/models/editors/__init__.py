from .eedtp import *  # noqa: F401,F403
from .diffir import *  # noqa: F401,F403
from .diffuir import *  # noqa: F401,F403
from .plain_restorer import PlainRestorer  # noqa: F401
