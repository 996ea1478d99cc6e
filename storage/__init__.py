"""Storage adapters: one subpackage per backend, each exposing ``open_store(settings, sealer)``
that returns a :class:`tickets.store.Store`. ``TICKETS_STORE`` names the subpackage, so a new
backend is a new subpackage that passes ``tests/contract``; nothing else changes."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from common.errors import ConfigError


def backends() -> list[str]:
    """The names ``TICKETS_STORE`` accepts: every subpackage of ``storage``."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg)


def adapter(name: str) -> ModuleType:
    if name not in backends():
        raise ConfigError(f"TICKETS_STORE={name!r} is not a store: use one of {backends()}.")
    return importlib.import_module(f"{__name__}.{name}")
