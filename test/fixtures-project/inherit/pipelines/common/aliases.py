"""Short names for the bases."""
from .polling import PollingBase as Poller

__all__ = ["Poller"]
