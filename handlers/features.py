"""Imports every feature module, so their commands and steps are registered."""

from handlers import joining, menu

FEATURES = (joining, menu)
