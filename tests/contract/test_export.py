"""Exports on both adapters: schema, access, escaping, paging and the audit log."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from markdown_it import MarkdownIt

from tests.support.users import ADA, BOB, KIM
from tickets.domain import Message, User
from tickets.errors import InvalidInput, TicketNotFound
from tickets.service import TicketService
from tickets.store import Store

SCHEMA = json.loads((Path(__file__).parents[2] / "tickets" / "transcript.schema.json").read_text())
HOSTILE = (
    '<script>alert(1)</script> [click](javascript:alert(2)) =HYPERLINK("http://x") '
    "<img src=x onerror=alert(3)>\n# not a heading\n- not a list"
)


@pytest.fixture
def service(people: Store) -> TicketService:
    return TicketService(people)


def export(service: TicketService, user: User, tid: str, fmt: str, internal: bool = False) -> str:
    return "".join(service.export(user.uid, tid, fmt, include_internal=internal))


def test_json_export_matches_the_schema_and_round_trips(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Kettle", "It leaks ✨")
    service.post(service.access(KIM, ticket.id), "VIP", internal=True)
    service.post(service.access(KIM, ticket.id), "On it!")
    data = json.loads(export(service, KIM, ticket.id, "json", internal=True))
    jsonschema.validate(data, SCHEMA)
    assert [m["text"] for m in data["messages"]] == ["It leaks ✨", "VIP", "On it!"]
    assert data["includesInternal"] is True
    assert Message.from_dict(data["messages"][0]).text == "It leaks ✨"  # re-importable


def test_customers_never_export_internal_notes(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Kettle", "It leaks")
    service.post(service.access(KIM, ticket.id), "secret note", internal=True)
    for fmt in ("json", "md", "html"):
        assert "secret note" not in export(service, ADA, ticket.id, fmt, internal=True)
    data = json.loads(export(service, ADA, ticket.id, "json", internal=True))
    assert data["includesInternal"] is False
    assert "secret note" not in export(service, KIM, ticket.id, "md", internal=False)
    assert "secret note" in export(service, KIM, ticket.id, "md", internal=True)


def test_other_customers_cannot_export(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Kettle", "It leaks")
    with pytest.raises(TicketNotFound):
        export(service, BOB, ticket.id, "json")
    with pytest.raises(InvalidInput):
        export(service, ADA, ticket.id, "exe")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def test_hostile_text_is_inert_in_every_format(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "<b>Subject</b>", HOSTILE)
    page = export(service, KIM, ticket.id, "html")
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags and "b" not in parser.tags
    assert "&lt;script&gt;" in page
    md = export(service, KIM, ticket.id, "md")
    assert "](javascript:" not in md and "<script>" not in md and "\n# not" not in md
    assert "\\[click\\]\\(javascript\\:alert\\(2\\)\\)" in md
    rendered = MarkdownIt("commonmark", {"html": True}).render(md)  # as any viewer shows it
    assert not [tag for tag in ("<a ", "<img", "<script", "<b>") if tag in rendered]
    data = json.loads(export(service, KIM, ticket.id, "json"))
    assert data["messages"][0]["text"] == HOSTILE  # JSON keeps the exact text


def test_exports_are_logged(service: TicketService, store: Store) -> None:
    ticket = service.open_ticket(ADA, "Kettle", "It leaks")
    export(service, ADA, ticket.id, "md")
    export(service, KIM, ticket.id, "json", internal=True)
    events = store.audit.find(ticket.id)
    assert [(e.actor_uid, e.details["format"], e.details["includeInternal"]) for e in events] == [
        (KIM.uid, "json", True),
        (ADA.uid, "md", False),
    ]
