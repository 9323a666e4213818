"""Deprecated: the use cases moved to review_flow.usecases; this name goes in the next release."""

from review_flow.usecases import App as Services
from review_flow.usecases import Settings, initialize

__all__ = ["Services", "Settings", "initialize"]
