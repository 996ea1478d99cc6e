"""Transcript exports: JSON (versioned schema), Markdown and printable HTML.

Each format is produced as an iterator of text chunks, reading the thread page by page, so a
10,000-message ticket exports in bounded memory. Every user-supplied text is escaped for its
format: nothing in a message can become markup, a link or a formula.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tickets.domain import AuthorRole, ConversationRef, Message, Ticket
from tickets.store import ThreadStore

SCHEMA = "ticket-assistant/transcript"
SCHEMA_VERSION = 1
FORMATS = {
    "json": "application/json",
    "md": "text/markdown",
    "html": "text/html",
    "csv": "text/csv",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PAGE = 500
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#|~!])")
_MD_LINE_START = re.compile(r"^(\s*)([+=-])", re.M)
_MD_ORDERED = re.compile(r"^(\s*\d+)\.", re.M)
AUTHOR = {
    AuthorRole.CUSTOMER: "Customer",
    AuthorRole.ASSISTANT: "AI assistant",
    AuthorRole.AGENT: "Agent",
    AuthorRole.SYSTEM: "Notice",
}


@dataclass(frozen=True)
class ExportRequest:
    ticket: Ticket
    include_internal: bool
    exported_by: str
    exported_at: datetime


def iter_messages(
    threads: ThreadStore, ticket_id: str, include_internal: bool
) -> Iterator[Message]:
    after = 0
    while True:
        page = threads.after(
            ConversationRef(ticket_id),
            after_seq=after,
            limit=PAGE,
            public_only=not include_internal,
        )
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].seq


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def ticket_record(ticket: Ticket) -> dict[str, Any]:
    data = ticket.to_dict()
    for private in ("searchKeys", "seenBy"):
        data.pop(private, None)
    return data


def message_record(message: Message) -> dict[str, Any]:
    """A message as exported: what happened, not the bookkeeping of how a reply was written."""
    data = message.to_dict()
    for private in ("attempt", "updatedAt", "retryAt"):
        data.pop(private, None)
    return data


def to_json(threads: ThreadStore, req: ExportRequest) -> Iterator[str]:
    head = {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "exportedAt": req.exported_at,
        "exportedBy": req.exported_by,
        "includesInternal": req.include_internal,
        "ticket": ticket_record(req.ticket),
    }
    yield json.dumps(head, default=_jsonable, ensure_ascii=False)[:-1] + ', "messages": ['
    for i, message in enumerate(iter_messages(threads, req.ticket.id, req.include_internal)):
        prefix = "\n  " if i == 0 else ",\n  "
        yield prefix + json.dumps(message_record(message), default=_jsonable, ensure_ascii=False)
    yield "\n]}\n"


def md_escape(text: str) -> str:
    """Inert Markdown: no markup, links, HTML, headings, lists or setext underlines."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    escaped = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
    return _MD_ORDERED.sub(lambda m: m.group(1) + "\\.", escaped)


def _label(message: Message) -> str:
    label = AUTHOR[message.author_role]
    if message.is_internal:
        label += " · internal note"
    if message.status.value != "complete":
        label += f" · {message.status.value}"
    return label


def sources_line(message: Message) -> str:
    """``Sources: Refund policy (refund-policy); ...`` (empty when the reply cites none)."""
    return "; ".join(f"{s.title} ({s.article_id})" for s in message.sources)


def to_markdown(threads: ThreadStore, req: ExportRequest) -> Iterator[str]:
    t = req.ticket
    yield f"# {md_escape(t.subject)}\n\n"
    yield f"- Ticket: `{t.id}`\n- Customer: {md_escape(t.customer_name)}\n"
    yield f"- Status: {t.status.label}\n- Opened: {t.created_at:%Y-%m-%d %H:%M} UTC\n"
    yield f"- Exported: {req.exported_at:%Y-%m-%d %H:%M} UTC"
    yield " (with internal notes)\n\n" if req.include_internal else " (public messages)\n\n"
    for m in iter_messages(threads, t.id, req.include_internal):
        yield f"### #{m.seq} · {_label(m)} · {m.created_at:%Y-%m-%d %H:%M}\n\n"
        body = "\n".join("> " + md_escape(line) if line else ">" for line in m.text.splitlines())
        yield (body or "> _(empty)_") + "\n\n"
        if m.sources:
            yield f"Sources: {md_escape(sources_line(m))}\n\n"


_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:800px;margin:2em auto;color:#1f2328}
.meta{color:#59636e}.msg{border-left:4px solid #d0d7de;padding:.3em 1em;margin:1em 0}
.customer{border-color:#0969da}.assistant{border-color:#8250df}.agent{border-color:#1a7f37}
.internal{background:#fff8c5;border-color:#9a6700}.system{border-color:#59636e}
.head{font-size:13px;color:#59636e}.text{white-space:pre-wrap;overflow-wrap:anywhere}
@media print{.msg{break-inside:avoid}}
"""


def to_html(threads: ThreadStore, req: ExportRequest) -> Iterator[str]:
    t, e = req.ticket, html.escape
    yield (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">"
        f"<title>{e(t.subject)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{e(t.subject)}</h1><p class='meta'>Ticket {e(t.id)} · {e(t.customer_name)} · "
        f"{e(t.status.label)} · exported {req.exported_at:%Y-%m-%d %H:%M} UTC"
        f"{' · with internal notes' if req.include_internal else ''}</p>"
    )
    for m in iter_messages(threads, t.id, req.include_internal):
        css = "internal" if m.is_internal else m.author_role.value
        yield (
            f"<div class='msg {css}'><div class='head'>#{m.seq} · {e(_label(m))} · "
            f"{m.created_at:%Y-%m-%d %H:%M}</div><div class='text'>{e(m.text)}</div>"
            + (f"<div class='head'>Sources: {e(sources_line(m))}</div>" if m.sources else "")
            + "</div>"
        )
    yield "</body></html>\n"


def csv_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: a leading =, +, -, @ can't start a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(threads: ThreadStore, req: ExportRequest) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def row(values: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(v) for v in values])
        return buffer.getvalue()

    yield row(["seq", "time", "author", "role", "visibility", "status", "sources", "text"])
    for m in iter_messages(threads, req.ticket.id, req.include_internal):
        when = m.created_at.isoformat(timespec="seconds")
        yield row(
            [
                str(m.seq),
                when,
                m.author_uid,
                m.author_role.value,
                m.visibility.value,
                m.status.value,
                sources_line(m),
                m.text,
            ]
        )


RENDERERS = {"json": to_json, "md": to_markdown, "html": to_html, "csv": to_csv}


def render(threads: ThreadStore, fmt: str, req: ExportRequest) -> Iterator[str]:
    return RENDERERS[fmt](threads, req)
