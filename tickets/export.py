"""Transcript exports: JSON (versioned schema), Markdown and printable HTML.

Each format is produced as an iterator of text chunks, reading the thread page by page, so a
10,000-message ticket exports in bounded memory. Every text people or the model wrote follows
the app's one rendering policy (:mod:`tickets.rendering`): message bodies keep the safe
Markdown subset (Markdown and HTML), everything else is plain text; nothing can become a
link, an image, markup or a formula.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tickets import rendering
from tickets.attachments import Attachment, describe
from tickets.domain import AuthorRole, ConversationRef, Message, Ticket
from tickets.feedback import Csat
from tickets.store import ThreadStore

FileReader = Callable[[Attachment], bytes | None]

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
# left raw by json.dumps(ensure_ascii=False): DEL and C1 controls, direction overrides and
# isolates, line and paragraph separators. Escaped, they read back the same and act on nothing.
_JSON_INVISIBLE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
AUTHOR = {
    AuthorRole.CUSTOMER: "Customer",
    AuthorRole.ASSISTANT: "AI assistant",
    AuthorRole.AGENT: "Agent",
    AuthorRole.SYSTEM: "Notice",
}


# what a customer's export says about the ticket: nothing agents keep for themselves (labels,
# the assignee, who has read it, the internal numbering, search keys)
CUSTOMER_TICKET_FIELDS = (
    "id",
    "customerUid",
    "customerName",
    "subject",
    "status",
    "createdAt",
    "updatedAt",
)
SUPPORT_AGENT = "support-agent"  # an agent's uid as a customer's export shows it


@dataclass(frozen=True)
class ExportRequest:
    ticket: Ticket
    include_internal: bool
    exported_by: str
    exported_at: datetime
    for_customer: bool = False  # the customer's own copy: their numbering, no agent-only fields
    csat: Csat | None = None  # the customer's score of the ticket
    files: FileReader | None = None  # JSON: include each file's bytes (base64)


def numbered(threads: ThreadStore, req: ExportRequest) -> Iterator[tuple[int, Message]]:
    """The messages with the number each reader knows them by: agents see the thread's
    ``seq``; a customer counts only the messages they can see (its gaps would show where
    internal notes are)."""
    messages = iter_messages(threads, req.ticket.id, req.include_internal)
    for n, message in enumerate(messages, start=1):
        yield (n if req.for_customer else message.seq), message


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


def dumps(value: Any) -> str:
    """JSON with every character that could act on a terminal or a display escaped: lossless
    (a reader gets the exact text back) and inert on screen."""
    text = json.dumps(value, default=_jsonable, ensure_ascii=False)
    return _JSON_INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def ticket_record(
    ticket: Ticket, *, for_customer: bool = False, csat: Csat | None = None
) -> dict[str, Any]:
    data = ticket.to_dict()
    if for_customer:
        data = {key: data[key] for key in CUSTOMER_TICKET_FIELDS}
    for private in ("searchKeys", "seenBy"):
        data.pop(private, None)
    if csat is not None:
        data["csat"] = {"score": csat.score, "comment": csat.comment, "at": csat.at}
    return data


def author_of(message: Message, *, for_customer: bool = False) -> str:
    if for_customer and message.author_role is AuthorRole.AGENT:
        return SUPPORT_AGENT
    return message.author_uid


def message_record(
    message: Message,
    number: int | None = None,
    *,
    for_customer: bool = False,
    files: FileReader | None = None,
) -> dict[str, Any]:
    """A message as exported: what happened, not the bookkeeping of how a reply was written.
    A customer's copy numbers messages their way, names no agent and carries no usage.
    ``files``: each attachment's bytes go in too (base64), as the store holds them."""
    data = message.to_dict()
    if files is not None and message.attachments:
        data["attachments"] = [
            record | _content(files(file))
            for record, file in zip(data["attachments"], message.attachments, strict=True)
        ]
    for private in ("attempt", "updatedAt", "retryAt"):
        data.pop(private, None)
    if for_customer:
        data.pop("usage", None)
        data["authorUid"] = author_of(message, for_customer=True)
    if number is not None:
        data["seq"] = number
    return data


def _content(data: bytes | None) -> dict[str, str]:
    return {} if data is None else {"content": base64.b64encode(data).decode()}


def to_json(threads: ThreadStore, req: ExportRequest) -> Iterator[str]:
    head = {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "exportedAt": req.exported_at,
        "exportedBy": req.exported_by,
        "includesInternal": req.include_internal,
        "ticket": ticket_record(req.ticket, for_customer=req.for_customer, csat=req.csat),
    }
    yield dumps(head)[:-1] + ', "messages": ['
    for i, (number, message) in enumerate(numbered(threads, req)):
        prefix = "\n  " if i == 0 else ",\n  "
        record = message_record(message, number, for_customer=req.for_customer, files=req.files)
        yield prefix + dumps(record)
    yield "\n]}\n"


def _label(message: Message) -> str:
    label = AUTHOR[message.author_role]
    if message.is_internal:
        label += " · internal note"
    if message.status.value != "complete":
        label += f" · {message.status.value}"
    return label


def files_line(message: Message) -> str:
    """``kettle.jpg (image, 120 KB); receipt.pdf (PDF, 3 KB)`` (empty without files)."""
    return "; ".join(describe(a) for a in message.attachments)


def rating_line(message: Message) -> str:
    """``Rated 👎: too vague`` (empty when the reply was not rated)."""
    if message.rating is None:
        return ""
    reason = f": {message.rating.reason}" if message.rating.reason else ""
    return f"Rated {message.rating.thumb}{reason}"


def csat_line(csat: Csat | None) -> str:
    if csat is None:
        return ""
    return f"Satisfaction: {csat.score}/5" + (f" ({csat.comment})" if csat.comment else "")


def sources_line(message: Message) -> str:
    """``Sources: Refund policy (refund-policy); ...`` (empty when the reply cites none)."""
    return "; ".join(f"{s.title} ({s.article_id})" for s in message.sources)


def to_markdown(threads: ThreadStore, req: ExportRequest) -> Iterator[str]:
    t = req.ticket
    yield f"# {rendering.inline(t.subject)}\n\n"
    yield f"- Ticket: `{t.id}`\n- Customer: {rendering.inline(t.customer_name)}\n"
    yield f"- Status: {t.status.label}\n- Opened: {t.created_at:%Y-%m-%d %H:%M} UTC\n"
    if req.csat is not None:
        yield f"- {rendering.inline(csat_line(req.csat))}\n"
    yield f"- Exported: {req.exported_at:%Y-%m-%d %H:%M} UTC"
    yield " (with internal notes)\n\n" if req.include_internal else " (public messages)\n\n"
    for number, m in numbered(threads, req):
        yield f"### #{number} · {_label(m)} · {m.created_at:%Y-%m-%d %H:%M}\n\n"
        lines = rendering.markdown(m.text).splitlines() if m.text.strip() else ["_(empty)_"]
        yield "\n".join(f"> {line}" if line else ">" for line in lines) + "\n\n"
        if m.attachments:
            yield f"Attachments: {rendering.inline(files_line(m))}\n\n"
        if m.sources:
            yield f"Sources: {rendering.inline(sources_line(m))}\n\n"
        if m.rating is not None:
            yield f"{rendering.inline(rating_line(m))}\n\n"


_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:800px;margin:2em auto;color:#1f2328}
.meta{color:#59636e}.msg{border-left:4px solid #d0d7de;padding:.3em 1em;margin:1em 0}
.customer{border-color:#0969da}.assistant{border-color:#8250df}.agent{border-color:#1a7f37}
.internal{background:#fff8c5;border-color:#9a6700}.system{border-color:#59636e}
.head{font-size:13px;color:#59636e}.text{overflow-wrap:anywhere}.text p{margin:.4em 0}
@media print{.msg{break-inside:avoid}}
"""


def to_html(threads: ThreadStore, req: ExportRequest) -> Iterator[str]:
    t, e = req.ticket, html.escape
    subject, name = rendering.plain_line(t.subject), rendering.plain_line(t.customer_name)
    yield (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">"
        f"<title>{e(subject)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{e(subject)}</h1><p class='meta'>Ticket {e(t.id)} · {e(name)} · "
        f"{e(t.status.label)} · exported {req.exported_at:%Y-%m-%d %H:%M} UTC"
        f"{' · with internal notes' if req.include_internal else ''}"
        f"{' · ' + e(rendering.plain_line(csat_line(req.csat))) if req.csat else ''}</p>"
    )
    for number, m in numbered(threads, req):
        css = "internal" if m.is_internal else m.author_role.value
        yield (
            f"<div class='msg {css}'><div class='head'>#{number} · {e(_label(m))} · "
            f"{m.created_at:%Y-%m-%d %H:%M}</div>"
            f"<div class='text'>{rendering.html(m.text)}</div>"
            + (f"<div class='head'>Attachments: {e(files_line(m))}</div>" if m.attachments else "")
            + (f"<div class='head'>Sources: {e(sources_line(m))}</div>" if m.sources else "")
            + (f"<div class='head'>{e(rating_line(m))}</div>" if m.rating else "")
            + "</div>"
        )
    yield "</body></html>\n"


def csv_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: a leading =, +, -, @ can't start a formula, and
    control, escape and direction characters show as ``\\uXXXX``."""
    text = rendering.visible(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(threads: ThreadStore, req: ExportRequest) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def row(values: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(v) for v in values])
        return buffer.getvalue()

    yield row(
        [
            "seq",
            "time",
            "author",
            "role",
            "visibility",
            "status",
            "attachments",
            "rating",
            "sources",
            "text",
        ]
    )
    for number, m in numbered(threads, req):
        when = m.created_at.isoformat(timespec="seconds")
        yield row(
            [
                str(number),
                when,
                author_of(m, for_customer=req.for_customer),
                m.author_role.value,
                m.visibility.value,
                m.status.value,
                files_line(m),
                rating_line(m),
                sources_line(m),
                m.text,
            ]
        )


RENDERERS = {"json": to_json, "md": to_markdown, "html": to_html, "csv": to_csv}


def render(threads: ThreadStore, fmt: str, req: ExportRequest) -> Iterator[str]:
    return RENDERERS[fmt](threads, req)
