"""Conditioning attached to any backbone from outside through hooks (never by
editing the backbone): time conditioning (and the TaskAdapter)."""
from .time_conditioning import TimeConditioner, sinusoidal_embedding

__all__ = ['TimeConditioner', 'sinusoidal_embedding']
