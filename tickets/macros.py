"""Canned responses and macros, as agents use and manage them (agents only, checked here).

Inserting a snippet fills its variables and returns text for the draft: nothing is sent. A
macro also applies its status, labels, priority and assignment, each through the ticket
use cases (so system events, SLA clocks and checks are the usual ones).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from tickets import policy
from tickets.domain import Priority, Status, Ticket, User, utcnow
from tickets.errors import InvalidInput
from tickets.ids import validate_id
from tickets.service import TicketAccess, TicketService
from tickets.snippets import (
    SHORTCUT,
    VARIABLES,
    Assign,
    Snippet,
    SnippetStore,
    expand,
    fill,
    snippet_id,
    unknown_variables,
    variables,
)
from tickets.text import clean_labels, clean_message, clean_subject


@dataclass(frozen=True)
class Applied:
    """What a macro did: the text for the draft, and the ticket as it is now."""

    text: str
    ticket: Ticket


class SnippetService:
    def __init__(
        self,
        store: SnippetStore,
        tickets: TicketService,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store, self.tickets, self.clock = store, tickets, clock

    def snippets(self, user: User) -> list[Snippet]:
        policy.require_agent(user, "use canned responses")
        return self.store.find()

    def save(
        self,
        user: User,
        *,
        shortcut: str,
        title: str,
        body: str,
        status: Status | None = None,
        labels: tuple[str, ...] | list[str] = (),
        assign: Assign = "",
        priority: Priority | None = None,
        replacing: str | None = None,
    ) -> Snippet:
        """Create or edit (``replacing``: the id it had, when the shortcut changed)."""
        policy.require_agent(user, "manage canned responses")
        shortcut = str(shortcut).strip().lstrip("/").lower()
        if not SHORTCUT.fullmatch(shortcut):
            raise InvalidInput(
                "A shortcut is 1-32 lowercase letters, digits or '-' (typed as /shortcut)."
            )
        text = clean_message(body, self.tickets.limits)
        unknown = unknown_variables(text)
        if unknown:
            raise InvalidInput(
                f"Unknown variable {{{{{unknown[0]}}}}}: use "
                + ", ".join(f"{{{{{v}}}}}" for v in VARIABLES)
                + "."
            )
        snippet = Snippet(
            shortcut=shortcut,
            title=clean_subject(title or shortcut, self.tickets.limits),
            body=text,
            updated_by=user.uid,
            updated_at=self.clock(),
            status=status,
            labels=clean_labels(list(labels), self.tickets.limits),
            assign=assign,
            priority=priority,
        )
        self.store.save(snippet)
        if replacing and replacing != snippet.id:
            self.store.delete(validate_id(replacing, "snippet"))
        return snippet

    def delete(self, user: User, snippet_id_: str) -> None:
        policy.require_agent(user, "manage canned responses")
        self.store.delete(validate_id(snippet_id_, "snippet"))

    def _get(self, user: User, shortcut_or_id: str) -> Snippet:
        policy.require_agent(user, "use canned responses")
        key = shortcut_or_id if shortcut_or_id.startswith("sn-") else snippet_id(shortcut_or_id)
        found = self.store.get(validate_id(key, "snippet"))
        if found is None:
            raise InvalidInput(f"There is no canned response {shortcut_or_id!r} (any more).")
        return found

    def insert(self, access: TicketAccess, shortcut_or_id: str) -> str:
        """The snippet's text with this ticket's and this agent's values filled in."""
        snippet = self._get(access.user, shortcut_or_id)
        return fill(snippet.body, variables(access.ticket, access.user))

    def expand(self, access: TicketAccess, text: str) -> str:
        """Every ``/shortcut`` typed in a draft replaced by its filled snippet."""
        if "/" not in text:
            return text
        return expand(text, self.snippets(access.user), variables(access.ticket, access.user))

    def apply(self, access: TicketAccess, shortcut_or_id: str) -> Applied:
        """A macro in one click: its actions applied now, its text returned for the draft."""
        snippet = self._get(access.user, shortcut_or_id)
        text = fill(snippet.body, variables(access.ticket, access.user))
        t = self.tickets
        if snippet.assign == "me" and access.ticket.assignee_uid != access.user.uid:
            access = replace(access, ticket=t.assign(access, access.user.uid))
        elif snippet.assign == "nobody" and access.ticket.assignee_uid is not None:
            access = replace(access, ticket=t.assign(access, None))
        if snippet.labels:
            labels = list(dict.fromkeys([*access.ticket.labels, *snippet.labels]))
            access = replace(access, ticket=t.set_labels(access, labels))
        if snippet.priority is not None:
            access = replace(access, ticket=t.set_priority(access, snippet.priority))
        if snippet.status is not None and snippet.status is not access.ticket.status:
            access = replace(access, ticket=t.set_status(access, snippet.status))
        return Applied(text, access.ticket)
