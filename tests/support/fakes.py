"""Fakes at the ports: a summarizer that replays behaviours, a model that replays replies."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from memory.summary import SummaryRequest


@dataclass
class FakeSummarizer:
    """Deterministic: the summary names the folded range but carries no identifiers, so any
    fact that survives did so because it was pinned, not because the 'model' kept it."""

    mode: str = "ok"  # ok | raise | empty | long
    calls: list[SummaryRequest] = field(default_factory=list)
    during: Callable[[], None] | None = None  # runs inside the call (to race it)
    barrier: threading.Barrier | None = None

    def summarize(self, request: SummaryRequest) -> str:
        self.calls.append(request)
        if self.barrier is not None:
            self.barrier.wait(timeout=30)
        if self.during is not None:
            self.during()
        if self.mode == "raise":
            raise TimeoutError("model timed out")
        if self.mode == "empty":
            return "   "
        if self.mode == "long":
            return "blah " * 5000
        first, last = request.transcript[0].split()[0], request.transcript[-1].split()[0]
        previous = "carried over; " if request.previous_summary else ""
        return (
            f"Problem: the customer's kettle leaks. ({previous}covers {first}-{last})\n"
            "Key facts: see pinned facts.\nTried: descaling.\nPromises: none.\n"
            "Open questions: refund or replacement.\nNext step: agent decides."
        )
