"""A store that records every call made to it, to check what a use case reads and writes
whatever the backend (on Firestore one call is one request)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from tickets.store import Store

CONCERNS = [f.name for f in fields(Store) if f.name not in ("backend", "closer")]


@dataclass
class Calls:
    made: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.made.clear()

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.made)


class _Proxy:
    def __init__(self, name: str, target: Any, calls: Calls) -> None:
        self._name, self._target, self._calls = name, target, calls

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._target, attr)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            self._calls.made.append(f"{self._name}.{attr}")
            return value(*args, **kwargs)

        return call


def recording(store: Store) -> tuple[Store, Calls]:
    calls = Calls()
    proxies = {name: _Proxy(name, getattr(store, name), calls) for name in CONCERNS}
    return replace(store, **proxies), calls  # type: ignore[arg-type]
