"""Live updates: the per-ticket change marker, and how often pages look at it.

Streamlit cannot push from one session to another, so an open page polls. What it polls is
:class:`Activity`, one small document per ticket holding three counters: ``thread`` moves
when a message of the shared thread is added or revised (a post, a reply streaming in, a
reply finishing), ``ticket`` when the ticket's fields change (status, assignee, labels, the
assistant switch), ``presence`` when someone arrives, leaves, or starts typing. A page keeps
the marker it last drew; a poll reads the marker (one document) and reads anything else only
for the counters that moved.

The marker is per ticket: there is no global document that every post would bump (Firestore
sustains about one write per second per document).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ActivityKind(StrEnum):
    THREAD = "thread"
    TICKET = "ticket"
    PRESENCE = "presence"


@dataclass(frozen=True)
class Activity:
    """A ticket's change marker: counters that only ever grow."""

    thread: int = 0
    ticket: int = 0
    presence: int = 0

    def moved(self, since: Activity) -> frozenset[ActivityKind]:
        """What changed between ``since`` (what a page drew) and this marker."""
        return frozenset(
            kind for kind in ActivityKind if getattr(self, kind.value) != getattr(since, kind.value)
        )

    def to_dict(self) -> dict[str, int]:
        return {"thread": self.thread, "ticket": self.ticket, "presence": self.presence}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Activity:
        data = data or {}
        return cls(*(int(data.get(kind.value) or 0) for kind in ActivityKind))


@dataclass(frozen=True)
class LiveSettings:
    """How often pages poll, and how long presence lasts without being renewed."""

    thread_poll_s: float = 2.0  # an open ticket page looks at its marker this often
    queue_poll_s: float = 5.0  # the agent queue looks for changed tickets this often
    presence_ttl_s: float = 20.0  # a viewer not renewed for this long has left
    typing_s: float = 6.0  # "is typing" lasts this long after the last keystroke ping
    clock_skew_s: float = 2.0  # replicas' clocks may differ by this much (queue watermark)

    @property
    def presence_renew_s(self) -> float:
        """Renew one's own presence once less than this is left of it."""
        return self.presence_ttl_s / 2
