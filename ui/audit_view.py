"""The audit log for supervisors: filters (kind, actor, ticket, customer, dates), the entries
newest first, and a CSV or JSON export of what the filters find (itself audited)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from common.errors import AppError
from config.bootstrap import Services
from tickets import rendering
from tickets.audit import Kind, row
from tickets.domain import User
from tickets.store import AuditQuery
from ui.components import export_button
from ui.reports import back

LIMIT = 500


def _query(services: Services) -> AuditQuery | None:
    first, last = services.reports.default_range(30)
    cols = st.columns([2, 2, 2, 2, 3])
    kind = cols[0].selectbox("Action", ["any", *(k.value for k in Kind)], key="audit-kind")
    actor = cols[1].text_input("Actor (user id)", key="audit-actor").strip()
    ticket = cols[2].text_input("Ticket id", key="audit-ticket").strip()
    subject = cols[3].text_input("About customer (user id)", key="audit-subject").strip()
    picked = cols[4].date_input("Dates (UTC)", value=(first, last), key="audit-range")
    if not isinstance(picked, tuple) or len(picked) != 2:
        st.info("Pick the last day of the range.")
        return None
    since = datetime.combine(picked[0], time(), UTC)
    until = datetime.combine(picked[1], time(), UTC) + timedelta(days=1)
    return AuditQuery(
        kind=None if kind == "any" else kind,
        actor_uid=actor or None,
        ticket_id=ticket or None,
        subject_uid=subject or None,
        since=since,
        until=until,
        limit=LIMIT,
    )


def _export(
    services: Services, uid: str, query: AuditQuery, fmt: str
) -> Callable[[], Iterator[str]]:
    def build() -> Iterator[str]:
        return services.tickets.audit.export(services.tickets.current_user(uid), query, fmt)

    return build


def render(services: Services, user: User) -> None:
    back()
    st.header("🗒 Audit log")
    st.caption(
        "Append-only: who did what, when, from which role. Entries about an erased customer "
        "stay, with the customer shown as erased."
    )
    query = _query(services)
    if query is None:
        return
    try:
        events = services.tickets.audit.find(user, query)
    except AppError as exc:
        st.error(rendering.inline(exc.message))
        return
    st.caption(f"{len(events)} entries" + (" (the newest 500)" if len(events) >= LIMIT else ""))
    rows = [{k: rendering.visible(v) for k, v in row(e).items()} for e in events]
    st.dataframe(
        pd.DataFrame(
            rows, columns=["at", "kind", "actor_role", "actor", "ticket", "subject", "details"]
        ),
        hide_index=True,
    )
    uid = user.uid
    cols = st.columns(2)
    for col, fmt, mime in ((cols[0], "csv", "text/csv"), (cols[1], "json", "application/json")):
        with col:
            export_button(
                f"⬇ Export {fmt.upper()}",
                _export(services, uid, query, fmt),
                f"audit-log.{fmt if fmt == 'csv' else 'jsonl'}",
                mime,
                key=f"audit-{fmt}",
            )
