from .anchor import ParameterAnchor
from .eedtp_restorer import EEDTPRestorer
from .layer_depth import execution_depths

__all__ = ['EEDTPRestorer', 'ParameterAnchor', 'execution_depths']
