"""Noise schedules and samplers shared by the methods (schedules are data:
pure functions returning tensors, plus thin registered holders)."""
from .diffir_schedule import (DiffIRPriorSchedule, deterministic_chain,
                              posterior_coefficients, sqrt_linear_betas)
from .diffuir_schedule import (DiffUIRSchedule, residual_schedule,
                               sampling_timesteps)
from .eedtp_schedule import (EEDTPNoiseSchedule, cosine_thetas,
                             irsde_sigma_bars, linear_thetas)

__all__ = [
    'EEDTPNoiseSchedule', 'irsde_sigma_bars', 'linear_thetas',
    'cosine_thetas', 'DiffIRPriorSchedule', 'sqrt_linear_betas',
    'posterior_coefficients', 'deterministic_chain'
]
__all__ += ['DiffUIRSchedule', 'residual_schedule', 'sampling_timesteps']
