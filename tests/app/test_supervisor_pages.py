"""The supervisors' pages in AppTest on the demo data (past tickets included): the reports
page renders its Altair charts, figures and tables; the audit log filters; agents and
customers never reach either page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from config.bootstrap import Services
from demo.history import SAM, seed_history
from tests.support.apptest import app_services, sign_in_as

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    with app_services(tmp_path, seed=12, before=seed_history) as svc:
        yield svc


def page(uid: str, name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    sign_in_as(at, uid)
    at.query_params["page"] = name
    return at.run()


def text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [h.value for h in at.header]
    parts += [s.value for s in at.subheader] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def test_the_reports_page_shows_charts_figures_and_tables_from_the_demo_data(
    services: Services,
) -> None:
    at = page(SAM.uid, "reports")
    assert not at.exception
    assert "📊 Reports" in text(at)
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 6  # per day, handoffs, CSAT, feedback, SLA, budgets
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Opened"]) >= 30 and int(metrics["Resolved"]) >= 30
    assert metrics["First response, median"] != "–"
    assert len(at.dataframe) == 11  # every table, each with its CSV download
    assert len(at.get("download_button")) == 11


def test_the_audit_log_lists_and_filters(services: Services) -> None:
    at = page(SAM.uid, "audit")
    assert not at.exception
    assert "🗒 Audit log" in text(at)
    frame = at.dataframe[0].value
    assert "sign_in" in set(frame["kind"])  # Sam's own sign-in, recorded once
    at.selectbox(key="audit-kind").set_value("export").run()
    assert len(at.dataframe[0].value) == 0
    assert len(at.get("download_button")) == 2


@pytest.mark.parametrize("uid", ["agent-kim", "cust-ada"])
def test_agents_and_customers_never_reach_the_supervisor_pages(
    services: Services, uid: str
) -> None:
    for name in ("reports", "audit"):
        at = page(uid, name)
        assert not at.exception
        assert "Reports" not in text(at) and "Audit log" not in text(at)
        assert not at.get("vega_lite_chart")
        assert all(b.label not in ("📊 Reports", "🗒 Audit log") for b in at.button)
