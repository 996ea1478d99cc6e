"""Ticket operations agents expect: merging a duplicate into another ticket, and searching
the text of every thread.

**Merge** copies the duplicate's messages (internal notes included, with their files) into
the target in their order, each keeping its author, role, visibility and time, under ids
derived from the duplicate's (so a merge that was interrupted can simply run again). Only
tickets of the same customer can be merged: otherwise one customer would read another's
messages. The duplicate keeps its own thread, is resolved, stops the assistant and points
to the target (``merged_into``); posting to it is refused with a pointer to the target.

**Search** looks up the first word's keyed token in the message index (never plaintext
when encryption is on), then keeps the hits whose decrypted text holds every word.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from tickets import events, export, policy
from tickets.attachments import object_path
from tickets.audit import Actor, Kind
from tickets.domain import (
    ConversationRef,
    Message,
    MessageStatus,
    NewMessage,
    Status,
    Ticket,
    User,
    normalize_search,
)
from tickets.errors import InvalidInput
from tickets.search import matches, query_key
from tickets.service import TicketAccess, TicketService
from tickets.store import TicketChanges

_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
MAX_MERGED = 5000


@dataclass(frozen=True)
class SearchHit:
    ticket: Ticket
    message: Message


def merged_message_id(source_ticket: str, message_id: str) -> str:
    digest = hashlib.sha256(f"merge\x00{source_ticket}\x00{message_id}".encode()).digest()
    bits = int.from_bytes(digest[:13], "big")
    return "m-" + "".join(_ALPHABET[(bits >> shift) & 31] for shift in range(95, -1, -5))


class TicketOperations:
    def __init__(self, tickets: TicketService) -> None:
        self.tickets, self.store = tickets, tickets.store

    # -- merge ------------------------------------------------------------------------------

    def merge(self, duplicate: TicketAccess, target_id: str) -> Ticket:
        """Merge ``duplicate`` into ``target_id``; returns the target as it is now."""
        user = duplicate.user
        policy.require_agent(user, "merge tickets")
        source = duplicate.ticket
        target = self.tickets.access(user, target_id).ticket
        if target.id == source.id:
            raise InvalidInput("A ticket can't be merged into itself: pick the other ticket.")
        if source.merged_into:
            raise InvalidInput(f"This ticket was already merged into {source.merged_into}.")
        if target.merged_into:
            raise InvalidInput(
                f"{target.id} was itself merged into {target.merged_into}: merge into that one."
            )
        if source.customer_uid != target.customer_uid:
            raise InvalidInput(
                "Only tickets of the same customer can be merged (the other customer would "
                "see these messages)."
            )
        copied = self._copy_messages(source, target)
        first, last = (copied[0].seq, copied[-1].seq) if copied else (0, 0)
        span = f" (#{first}-#{last})" if copied else ""
        self.tickets.record(
            target,
            events.Event(
                f"Ticket {source.id} was merged into this one: its {len(copied)} messages"
                f"{span} are above, with their original times."
            ),
        )
        self.tickets.record(
            source,
            events.Event(
                f"This ticket was merged into ticket {target.id}: the conversation continues there."
            ),
        )
        merged = self.store.tickets.update(
            source.id,
            TicketChanges(status=Status.RESOLVED, assistant_active=False, merged_into=target.id),
        )
        self.tickets.observe(merged)
        self.tickets.audit_status(source, merged, Actor.of(user))
        self.tickets.audit.record(
            Kind.TICKET_MERGED,
            Actor.of(user),
            ticket_id=source.id,
            into=target.id,
            messages=len(copied),
        )
        fresh = self.store.tickets.get(target.id)
        return fresh or target

    def _copy_messages(self, source: Ticket, target: Ticket) -> list[Message]:
        copied: list[Message] = []
        target_conv = ConversationRef(target.id)
        for message in export.iter_messages(self.store.threads, source.id, include_internal=True):
            if len(copied) >= MAX_MERGED:
                raise InvalidInput(f"A ticket with over {MAX_MERGED} messages can't be merged.")
            if message.status is MessageStatus.PENDING or not (
                message.text.strip() or message.attachments
            ):
                continue  # a reply still being written, or nothing to copy
            for file in message.attachments:
                self._copy_file(source.id, target.id, file.id, file.thumbnail)
            new = NewMessage(
                merged_message_id(source.id, message.id),
                message.author_uid,
                message.author_role,
                message.text,
                message.visibility,
                status=message.status,
                written_at=message.created_at,
                attachments=message.attachments,
            )
            copied.append(self.store.threads.append(target_conv, new))
        return copied

    def _copy_file(self, source_id: str, target_id: str, file_id: str, thumbnail: bool) -> None:
        for thumb in (False, True) if thumbnail else (False,):
            data = self.store.blobs.get(object_path(source_id, file_id, thumbnail=thumb))
            if data is not None:  # re-sealed under the target's path
                kind = "image/jpeg" if thumb else "application/octet-stream"
                self.store.blobs.put(object_path(target_id, file_id, thumbnail=thumb), data, kind)

    # -- search -----------------------------------------------------------------------------

    def search(self, user: User, query: str, limit: int = 30) -> list[SearchHit]:
        """Messages of every ticket holding all the words of ``query`` (as word starts),
        internal notes included, newest first. Agents only."""
        policy.require_agent(user, "search messages")
        words = normalize_search(query)
        key = query_key(words[0]) if words else None
        if key is None:
            return []
        hits = [h for h in self.store.search.find(key, limit * 4) if matches(h.message.text, words)]
        tickets: dict[str, Ticket | None] = {}
        found: list[SearchHit] = []
        for hit in hits:
            if hit.ticket_id not in tickets:
                tickets[hit.ticket_id] = self.store.tickets.get(hit.ticket_id)
            ticket = tickets[hit.ticket_id]
            if ticket is not None and policy.can_view(user, ticket):
                found.append(SearchHit(ticket, hit.message))
            if len(found) >= limit:
                break
        return found
