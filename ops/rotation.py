"""Re-encrypt everything under the newest key (``python -m ops rotate-keys``).

Page by page, every ticket (subject, customer name, labels, search tokens), user (name,
e-mail), message and memory checkpoint of every ticket and copilot thread is rewritten
through the store, which seals with the current key. Idempotent: run it again after an
interruption. Once it has finished, older keys can be removed from the configuration, and
search finds every ticket by tokens of the current key.
"""

from __future__ import annotations

from dataclasses import dataclass

from tickets.domain import Checkpoint, ConversationRef, Message
from tickets.store import Store, TicketChanges

PAGE = 200


@dataclass
class RotationReport:
    tickets: int = 0
    messages: int = 0
    checkpoints: int = 0
    users: int = 0


def _same_message(stored: Message) -> Message:
    return stored  # rewritten as is: the store seals it under the current key


def _same_checkpoint(stored: Checkpoint | None) -> Checkpoint | None:
    return stored


def rotate(store: Store) -> RotationReport:
    report = RotationReport()
    after: str | None = None
    while ids := store.tickets.ids(after, PAGE):
        for ticket_id in ids:
            report.tickets += 1
            store.tickets.update(ticket_id, TicketChanges())  # no change: sealed again
            convs = [ConversationRef(ticket_id)]
            convs += [
                ConversationRef(ticket_id, uid) for uid in store.threads.copilot_agents(ticket_id)
            ]
            for conv in convs:
                _rotate_conversation(store, conv, report)
        after = ids[-1]
    last_uid: str | None = None
    while users := store.users.find(limit=PAGE, after=last_uid):
        for user in users:
            store.users.save(user)
            report.users += 1
        last_uid = users[-1].uid
    return report


def _rotate_conversation(store: Store, conv: ConversationRef, report: RotationReport) -> None:
    seq = 0
    while page := store.threads.after(conv, after_seq=seq, limit=PAGE):
        for m in page:
            store.threads.revise(conv, m.id, _same_message)
            report.messages += 1
        seq = page[-1].seq
    if store.checkpoints.revise(conv, _same_checkpoint) is not None:
        report.checkpoints += 1
