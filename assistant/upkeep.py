"""Memory upkeep in the background, at most one job per conversation at a time.

A slow summary (a local model takes 10-40 s) must neither hold a reply up nor pile up: while
a conversation's upkeep runs, only the newest further request for it waits, and runs after
it (its plan is the freshest view of the conversation). Other replicas may fold the same
conversation meanwhile: the checkpoint's compare-and-set keeps that safe.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)
RunLater = Callable[[Callable[[], None]], None]


class Upkeep:
    def __init__(self, run_later: RunLater) -> None:
        self.run_later = run_later
        self._lock = threading.Lock()
        self._next: dict[str, Callable[[], None] | None] = {}  # key -> job to run after

    def request(self, key: str, job: Callable[[], None]) -> bool:
        """Run ``job`` for ``key`` in the background; if one is running or queued, run
        ``job`` after it instead (the newest request replaces an older waiting one).
        Returns whether a new background job was scheduled."""
        with self._lock:
            if key in self._next:
                self._next[key] = job
                return False
            self._next[key] = None
        try:
            self.run_later(lambda: self._run(key, job))
        except Exception:
            with self._lock:
                self._next.pop(key, None)
            raise
        return True

    def busy(self, key: str) -> bool:
        with self._lock:
            return key in self._next

    def _run(self, key: str, job: Callable[[], None]) -> None:
        current: Callable[[], None] | None = job
        try:
            while current is not None:
                try:
                    current()
                except Exception:
                    log.exception("memory upkeep failed for %s", key)
                with self._lock:
                    current = self._next.get(key)
                    if current is None:
                        self._next.pop(key, None)
                    else:
                        self._next[key] = None
        except BaseException:
            with self._lock:
                self._next.pop(key, None)
            raise
