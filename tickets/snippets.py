"""Canned responses and macros: shared snippets agents insert into a reply draft.

A snippet has a shortcut (typed as ``/shortcut`` in the reply box), a title and a body with
variables (``{{customer.first_name}}``, ``{{ticket.id}}``, ``{{agent.name}}``, ...), filled
when it is inserted, never sent by itself. A snippet that also sets a status, adds labels or
assigns the ticket is a macro: one click applies all of it (:mod:`tickets.macros`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from tickets import fields
from tickets.domain import Priority, Status, Ticket, User, as_datetime

SHORTCUT = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_VARIABLE = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")
_TYPED = re.compile(r"(?<![^\s(\[])/([a-z0-9][a-z0-9-]{0,31})(?![a-z0-9-])")
VARIABLES = (
    "customer.first_name",
    "customer.name",
    "ticket.id",
    "ticket.subject",
    "agent.name",
    "agent.first_name",
)
Assign = Literal["", "me", "nobody"]  # "": leave the assignee as it is


def snippet_id(shortcut: str) -> str:
    """One snippet per shortcut: the shortcut names the document."""
    return f"sn-{shortcut}"


@dataclass(frozen=True)
class Snippet:
    shortcut: str
    title: str
    body: str
    updated_by: str
    updated_at: datetime
    status: Status | None = None  # a macro sets it
    labels: tuple[str, ...] = ()  # a macro adds them
    assign: Assign = ""
    priority: Priority | None = None

    @property
    def id(self) -> str:
        return snippet_id(self.shortcut)

    @property
    def is_macro(self) -> bool:
        return bool(self.status or self.labels or self.assign or self.priority)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "shortcut": self.shortcut,
            "title": self.title,
            "body": self.body,
            "updatedBy": self.updated_by,
            "updatedAt": self.updated_at,
            "status": self.status.value if self.status else None,
            "labels": list(self.labels),
            "assign": self.assign,
            "priority": self.priority.value if self.priority else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Snippet:
        assign = fields.text(data, "assign", limit=8)
        if assign not in ("", "me", "nobody"):
            raise ValueError("assign is '', 'me' or 'nobody'")
        return cls(
            shortcut=fields.required_text(data, "shortcut", limit=32),
            title=fields.text(data, "title", limit=400),
            body=fields.text(data, "body", limit=fields.LONG_TEXT),
            updated_by=fields.text(data, "updatedBy", limit=64),
            updated_at=as_datetime(data["updatedAt"]),
            status=fields.optional_choice(Status, data, "status"),
            labels=fields.texts(data, "labels", limit=10),
            assign="me" if assign == "me" else ("nobody" if assign == "nobody" else ""),
            priority=fields.optional_choice(Priority, data, "priority"),
        )


class SnippetStore(Protocol):
    def save(self, snippet: Snippet) -> None: ...
    def get(self, snippet_id: str) -> Snippet | None: ...
    def delete(self, snippet_id: str) -> None: ...

    def find(self, limit: int = 200) -> list[Snippet]:
        """Every snippet, by shortcut."""
        ...


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def variables(ticket: Ticket, agent: User) -> dict[str, str]:
    return {
        "customer.first_name": first_name(ticket.customer_name) or "there",
        "customer.name": ticket.customer_name or "there",
        "ticket.id": ticket.id,
        "ticket.subject": ticket.subject,
        "agent.name": agent.display_name,
        "agent.first_name": first_name(agent.display_name),
    }


def fill(body: str, values: Mapping[str, str]) -> str:
    """Known variables filled; an unknown one is left as typed, so the agent sees it."""
    return _VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def unknown_variables(body: str) -> list[str]:
    return sorted({m.group(1) for m in _VARIABLE.finditer(body)} - set(VARIABLES))


def expand(text: str, snippets: Sequence[Snippet], values: Mapping[str, str]) -> str:
    """Every ``/shortcut`` typed in ``text`` (at the start or after a space) replaced by its
    snippet, filled; a ``/word`` that is no shortcut (a path, a date) is left alone."""
    by_shortcut = {s.shortcut: s for s in snippets}

    def swap(match: re.Match[str]) -> str:
        found = by_shortcut.get(match.group(1))
        return fill(found.body, values) if found else match.group(0)

    return _TYPED.sub(swap, text)


def append(draft: str, text: str) -> str:
    """Add a snippet to a draft: a blank line between them, nothing lost."""
    draft = draft.rstrip()
    return f"{draft}\n\n{text}" if draft else text
