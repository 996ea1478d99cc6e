"""What the simulated people did (every message they sent carries a unique token), written by
the Locust process and read back by the checker: JSON, so the two run in separate processes
(Locust patches the standard library with gevent, which the Firestore client's gRPC does not
survive)."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

CUSTOMERS = [f"load-c-{n:02d}" for n in range(1, 41)]  # the simulated people's user ids
AGENTS = [f"load-a-{n}" for n in range(1, 6)]


def name_of(uid: str) -> str:
    kind, n = ("Customer", uid[7:]) if uid.startswith("load-c-") else ("Agent", uid[7:])
    return f"Load {kind} {n}"


@dataclass
class Ledger:
    tickets: dict[str, str] = field(default_factory=dict)  # ticket id -> customer uid
    sent: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # by ticket
    agent_replies: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)  # tokens whose send the app finished
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def expected(self, ticket_id: str) -> list[str]:
        """Every token the simulated people sent on this ticket (customer and agents)."""
        return self.sent.get(ticket_id, []) + self.agent_replies.get(ticket_id, [])

    def save(self, path: Path) -> None:
        data = {
            "tickets": self.tickets,
            "sent": self.sent,
            "agent_replies": self.agent_replies,
            "timings": self.timings,
            "errors": self.errors,
            "confirmed": self.confirmed,
        }
        path.write_text(json.dumps(data, indent=1))

    @classmethod
    def load(cls, path: Path) -> Ledger:
        data = json.loads(path.read_text())
        ledger = cls(tickets=data["tickets"], errors=data["errors"], confirmed=data["confirmed"])
        ledger.sent.update(data["sent"])
        ledger.agent_replies.update(data["agent_replies"])
        ledger.timings.update(data["timings"])
        return ledger
