"""Imports every module of the handlers package, so their commands and steps register."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import handlers


def load_features() -> list[ModuleType]:
    """Import every handlers module once; a new feature module needs no wiring."""
    return [
        importlib.import_module(f"handlers.{info.name}")
        for info in pkgutil.iter_modules(handlers.__path__)
        if info.name not in {"features", "engine"}
    ]
