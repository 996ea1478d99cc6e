"""A customer's subject-access request: everything kept about them, as one ZIP archive.

``README.txt`` (what is inside), ``profile.json``, per ticket ``tickets/<id>/transcript.json``
(the versioned transcript schema; internal notes included unless ``public_only``: they are
personal data about the customer, to be reviewed by whoever answers the request),
``memory.json`` (the assistant's summary and pinned facts), ``copilot-<agent>.json`` (agents'
AI threads about the ticket), ``report-state.json``; then ``usage.json`` and ``audit.json``
(the audit entries about them). Written to a file, one ticket at a time, in bounded memory.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tickets import export
from tickets.audit import OPERATOR, AuditLog, Kind, row
from tickets.domain import ConversationRef, utcnow
from tickets.errors import InvalidInput
from tickets.ids import validate_id
from tickets.store import AuditQuery, Store

PAGE = 500
README = """Personal data held by {product} about user {uid}, exported {at}.

profile.json                    the account: name, e-mail, role
tickets/<id>/transcript.json    each ticket with its messages{notes}
tickets/<id>/memory.json        what the AI assistant remembers of the ticket (summary, facts)
tickets/<id>/copilot-<agent>.json  support agents' private AI assistant threads on the ticket
tickets/<id>/report-state.json  figures kept for reports (times, ratings)
usage.json                      AI model usage counted against this account and its tickets
audit.json                      audit-log entries about this account
"""


@dataclass
class SubjectAccessReport:
    path: Path
    tickets: int = 0
    messages: int = 0
    audit_id: str = ""


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _dump(value: Any) -> str:
    return json.dumps(value, default=_plain, ensure_ascii=True, indent=1)


class SubjectAccess:
    def __init__(
        self,
        store: Store,
        audit: AuditLog,
        product: str = "Ticket Assistant",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store, self.audit, self.product, self.clock = store, audit, product, clock

    def export_user(
        self, uid: str, path: Path, *, public_only: bool = False
    ) -> SubjectAccessReport:
        uid = validate_id(uid, "user")
        user = self.store.users.get(uid)
        if user is None:
            raise InvalidInput(f"No user {uid}.")
        now = self.clock()
        report = SubjectAccessReport(path)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            notes = "" if public_only else " (internal notes included)"
            archive.writestr(
                "README.txt",
                README.format(product=self.product, uid=uid, at=now.isoformat(), notes=notes),
            )
            archive.writestr("profile.json", _dump(user.to_dict()))
            for ticket_id in self.store.tickets.ids_of_customer(uid, 10_000):
                report.messages += self._ticket(archive, ticket_id, now, public_only)
                report.tickets += 1
            usage = [
                vars(u)
                for kind, owner in self._owners(uid)
                for u in self.store.usage.of_owner(kind, owner)
            ]
            archive.writestr("usage.json", _dump(usage))
            entries = self.store.audit.find(query=AuditQuery(subject_uid=uid, limit=10_000))
            archive.writestr("audit.json", _dump([row(e) for e in entries]))
        event = self.audit.record(
            Kind.USER_EXPORTED,
            OPERATOR,
            subject_uid=uid,
            tickets=report.tickets,
            internal=not public_only,
        )
        report.audit_id = event.id
        return report

    def _owners(self, uid: str) -> Iterable[tuple[str, str]]:
        yield "user", uid
        for ticket_id in self.store.tickets.ids_of_customer(uid, 10_000):
            yield "ticket", ticket_id

    def _ticket(
        self, archive: zipfile.ZipFile, ticket_id: str, now: datetime, public_only: bool
    ) -> int:
        ticket = self.store.tickets.get(ticket_id)
        folder = f"tickets/{ticket_id}"
        if ticket is None:  # malformed: what can be read of it is still theirs
            archive.writestr(f"{folder}/unreadable.txt", "This ticket could not be read.")
            return 0
        request = export.ExportRequest(
            ticket, not public_only, "operator", now, for_customer=public_only
        )
        with archive.open(f"{folder}/transcript.json", "w") as fh:
            for chunk in export.render(self.store.threads, "json", request):
                fh.write(chunk.encode("utf-8"))
        conv = ConversationRef(ticket_id)
        checkpoint = self.store.checkpoints.get(conv)
        if checkpoint is not None:
            archive.writestr(f"{folder}/memory.json", _dump(checkpoint.to_dict()))
        for agent in self.store.threads.copilot_agents(ticket_id):
            copilot = ConversationRef(ticket_id, agent)
            messages = [m.to_dict() for m in self._all(copilot)]
            archive.writestr(f"{folder}/copilot-{agent}.json", _dump(messages))
        stats = self.store.metrics.stats(ticket_id)
        if stats is not None:
            archive.writestr(f"{folder}/report-state.json", _dump(stats.to_dict()))
        return ticket.last_seq

    def _all(self, conv: ConversationRef) -> Iterable[Any]:
        seq = 0
        while page := self.store.threads.after(conv, after_seq=seq, limit=PAGE):
            yield from page
            seq = page[-1].seq
