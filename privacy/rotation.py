"""Re-encrypt everything under the newest key (``python -m tickets rotate-keys``).

Page by page, every message and memory checkpoint of every ticket and copilot thread is
rewritten through the store, which seals with the current key. Idempotent: run it again after
an interruption. Once it has finished, older keys can be removed from the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

from tickets.domain import ConversationRef
from tickets.store import TicketStore

PAGE = 200


@dataclass
class RotationReport:
    tickets: int = 0
    messages: int = 0
    checkpoints: int = 0


def rotate(store: TicketStore) -> RotationReport:
    report = RotationReport()
    after: str | None = None
    while ids := store.ticket_ids(after, PAGE):
        for ticket_id in ids:
            report.tickets += 1
            convs = [ConversationRef(ticket_id)]
            convs += [ConversationRef(ticket_id, uid) for uid in store.copilot_agents(ticket_id)]
            for conv in convs:
                _rotate_conversation(store, conv, report)
        after = ids[-1]
    return report


def _rotate_conversation(store: TicketStore, conv: ConversationRef, report: RotationReport) -> None:
    seq = 0
    while page := store.messages_after(conv, after_seq=seq, limit=PAGE):
        for m in page:
            store.finish_message(
                conv, m.id, text=m.text, status=m.status, usage=m.usage, error=m.error
            )
            report.messages += 1
        seq = page[-1].seq
    checkpoint = store.conversation_state(conv).checkpoint
    if checkpoint is not None and store.save_checkpoint(
        conv, checkpoint, expected_version=checkpoint.version
    ):
        report.checkpoints += 1
