"""Memory upkeep in the background, at most one job per conversation at a time.

A slow summary (a local model takes 10-40 s) must neither hold a reply up nor pile up: while
a conversation's upkeep runs, further requests for it are folded into one rerun after it,
which reads the store afresh. Other replicas may fold the same conversation meanwhile: the
checkpoint's compare-and-set keeps that safe.
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
        self._running: dict[str, bool] = {}  # key -> another request came in meanwhile

    def request(self, key: str, job: Callable[[], None], rerun: Callable[[], None]) -> bool:
        """Run ``job`` for ``key`` in the background, or, if one is running or queued,
        ``rerun`` once after it. Returns whether a new job was scheduled."""
        with self._lock:
            if key in self._running:
                self._running[key] = True
                return False
            self._running[key] = False
        try:
            self.run_later(lambda: self._run(key, job, rerun))
        except Exception:
            with self._lock:
                self._running.pop(key, None)
            raise
        return True

    def busy(self, key: str) -> bool:
        with self._lock:
            return key in self._running

    def _run(self, key: str, job: Callable[[], None], rerun: Callable[[], None]) -> None:
        try:
            while True:
                try:
                    job()
                except Exception:
                    log.exception("memory upkeep failed for %s", key)
                with self._lock:
                    if not self._running.get(key):
                        self._running.pop(key, None)
                        return
                    self._running[key] = False
                job = rerun
        except BaseException:
            with self._lock:
                self._running.pop(key, None)
            raise
