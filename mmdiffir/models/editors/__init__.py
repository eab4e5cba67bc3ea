from .eedtp import *  # noqa: F401,F403
