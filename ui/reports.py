"""The supervisors' reports page: a date range, headline figures, Altair charts, and every
table with a CSV download. Everything comes from :class:`tickets.reports.ReportService`
(aggregates, never messages)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from common.errors import AppError
from config.bootstrap import Services
from tickets import rendering
from tickets.domain import User
from tickets.reports import Report, Table
from ui.components import export_button

PARAM = "page"


def wanted(user: User) -> str | None:
    """The supervisor page this run shows (``reports`` or ``audit``), if any."""
    page = st.query_params.get(PARAM)
    return page if user.is_supervisor and page in ("reports", "audit") else None


def _go(page: str | None) -> None:
    if page is None:
        st.query_params.pop(PARAM, None)
    else:
        st.query_params[PARAM] = page


def sidebar_links(user: User) -> None:
    if not user.is_supervisor:
        return
    with st.sidebar:
        cols = st.columns(2)
        cols[0].button("📊 Reports", on_click=_go, args=("reports",), width="stretch")
        cols[1].button("🗒 Audit log", on_click=_go, args=("audit",), width="stretch")


def back() -> None:
    st.button("← Back to the queue", on_click=_go, args=(None,))


def _duration(seconds: float | int | None) -> str:
    if seconds is None:
        return "–"
    s = int(seconds)
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s" if s >= 60 else f"{s} s"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    return f"{s / 86400:.1f} days"


def _pct(value: float | int | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def render(services: Services, user: User) -> None:
    back()
    st.header("📊 Reports")
    default = services.reports.default_range()
    picked = st.date_input("Date range (UTC days)", value=default, key="report-range")
    if not isinstance(picked, tuple) or len(picked) != 2:
        st.info("Pick the last day of the range.")
        return
    first, last = picked
    try:
        report = services.reports.report(user, first, last)
    except AppError as exc:
        st.error(rendering.inline(exc.message))
        return
    _headline(report)
    tables = {t.key: t for t in report.tables()}
    st.subheader("Tickets per day")
    st.altair_chart(_per_day_chart(tables["per_day"]), width="stretch")
    left, right = st.columns(2)
    with left:
        st.subheader("Handoffs by reason")
        _bar(tables["handoff_reasons"], "reason", "handoffs")
        st.subheader("CSAT")
        st.altair_chart(_csat_chart(tables["csat"]), width="stretch")
    with right:
        st.subheader("Reply feedback")
        st.altair_chart(_feedback_chart(tables["feedback"]), width="stretch")
        st.subheader("SLA breaches")
        _bar(tables["sla"], "priority", "breaches", color="sla")
    st.subheader("Budget use this period")
    left, right = st.columns(2)
    with left:
        _bar(tables["budget_customers"], "customer", "tokens")
    with right:
        _bar(tables["budget_tickets"], "ticket", "tokens")
    st.subheader("Tables")
    uid = user.uid
    for table in tables.values():
        with st.expander(rendering.inline(table.title)):
            st.dataframe(pd.DataFrame(table.records(), columns=list(table.columns)))
            export_button(
                "⬇ CSV",
                _csv_of(services, uid, first, last, table.key),
                f"{table.key}-{first}-{last}.csv",
                "text/csv",
                key=f"csv-{table.key}",
            )


def _csv_of(
    services: Services, uid: str, first: date, last: date, key: str
) -> Callable[[], list[str]]:
    """A deferred download: built when clicked, for the user as they are then."""

    def build() -> list[str]:
        user = services.tickets.current_user(uid)
        return [services.reports.table_csv(user, first, last, key)]

    return build


def _headline(report: Report) -> None:
    f = report.figures()
    row = st.columns(5)
    row[0].metric("Opened", f["opened"])
    row[1].metric("Resolved", f["resolved"])
    row[2].metric("Resolved by assistant alone", _pct(f["assistant_resolution_share"]))
    row[3].metric("Handoff rate", _pct(f["handoff_rate"]))
    row[4].metric("Reopen rate", _pct(f["reopen_rate"]))
    row = st.columns(5)
    row[0].metric("First response, median", _duration(f["first_response_median_s"]))
    row[1].metric("First response, p90", _duration(f["first_response_p90_s"]))
    row[2].metric("Resolution, median", _duration(f["resolution_median_s"]))
    row[3].metric("Resolution, p90", _duration(f["resolution_p90_s"]))
    row[4].metric("SLA breaches", f["sla_breaches"])
    row = st.columns(5)
    row[0].metric("Tokens", f"{f['tokens']:,}")
    per = f["tokens_per_resolved"]
    row[1].metric("Tokens per resolved ticket", "–" if per is None else f"{per:,.0f}")
    cost = f["cost_per_resolved"]
    currency = report.settings.currency
    row[2].metric("Cost per resolved ticket", "–" if cost is None else f"{cost:.4f} {currency}")


def _per_day_chart(table: Table) -> alt.Chart:
    frame = pd.DataFrame(table.records())
    long = frame.melt(
        id_vars="day",
        value_vars=["opened", "resolved", "resolved_by_assistant"],
        var_name="series",
        value_name="tickets",
    )
    chart: alt.Chart = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y("tickets:Q", title="tickets"),
            color=alt.Color("series:N", title=None),
            tooltip=["day:T", "series:N", "tickets:Q"],
        )
    )
    return chart


def _bar(table: Table, category: str, value: str, color: str | None = None) -> None:
    if not table.rows:
        st.caption("Nothing in this range.")
        return
    frame = pd.DataFrame(table.records())
    encoding = {
        "x": alt.X(f"{value}:Q", title=value),
        "y": alt.Y(f"{category}:N", sort="-x", title=None),
        "tooltip": list(table.columns),
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=None)
    st.altair_chart(alt.Chart(frame).mark_bar().encode(**encoding), width="stretch")


def _csat_chart(table: Table) -> alt.Chart:
    frame = pd.DataFrame(table.records())
    long = frame.melt(
        id_vars="handled", value_vars=["1", "2", "3", "4", "5"], var_name="score", value_name="n"
    )
    chart: alt.Chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("score:O", title="score"),
            y=alt.Y("n:Q", title="responses"),
            color=alt.Color("handled:N", title=None),
            xOffset="handled:N",
            tooltip=["handled:N", "score:O", "n:Q"],
        )
    )
    return chart


def _feedback_chart(table: Table) -> alt.Chart:
    frame = pd.DataFrame(table.records())
    long = frame.melt(
        id_vars="author",
        value_vars=["thumbs_up", "thumbs_down"],
        var_name="feedback",
        value_name="n",
    )
    chart: alt.Chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("n:Q", title="replies"),
            y=alt.Y("author:N", title=None),
            color=alt.Color(
                "feedback:N",
                scale=alt.Scale(domain=["thumbs_up", "thumbs_down"], range=["#4c9a6a", "#c75d5d"]),
                title=None,
            ),
            tooltip=["author:N", "feedback:N", "n:Q"],
        )
    )
    return chart
