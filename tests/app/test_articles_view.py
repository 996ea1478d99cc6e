"""The knowledge base in the app (AppTest, fakes at the ports): the articles page by role,
sources under a reply that open the article, and the handoff shown in the agent's queue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from config.bootstrap import Services
from tests.support.apptest import app_services, sign_in_as, unescaped
from tests.support.fakes import FakeModel, FakeReply

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def services(tmp_path: Path, model: FakeModel) -> Iterator[Services]:
    with app_services(tmp_path, model, seed=40) as svc:
        yield svc


def app(as_user: str, **params: str) -> AppTest:
    at = sign_in_as(AppTest.from_file(APP, default_timeout=30), as_user)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def labels(at: AppTest) -> list[str]:
    """Button labels as they read on screen (labels are Markdown: titles come escaped)."""
    return [unescaped(b.label) for b in at.button]


def test_customers_list_public_articles_and_agents_see_internal_ones(services: Services) -> None:
    at = app("cust-ada", article="all")
    shown = labels(at)
    assert "Refund policy" in shown and not any("internal" in b for b in shown)
    assert "Refund approval limits (agents) · 🔒 internal" in labels(
        app("agent-kim", article="all")
    )


def test_an_article_opens_and_an_internal_one_stays_hidden_from_customers(
    services: Services,
) -> None:
    at = app("cust-ada", article="refund-policy")
    assert at.header[0].value == "Refund policy"
    assert any("30 days of delivery" in m.value for m in at.markdown)
    hidden = app("cust-ada", article="refund-approval-limits")
    assert any("was not found" in e.value for e in hidden.error)
    assert not any("$100" in m.value for m in hidden.markdown)


def test_a_cited_reply_shows_its_source_which_opens_the_article(
    services: Services, model: FakeModel
) -> None:
    model.queue(FakeReply(["You can return it within 30 days of delivery for a full refund. [1]"]))
    at = app("cust-ada", ticket="tk-demo-kettle")
    at.chat_input(key="chat-tk-demo-kettle").set_value(
        "How many days do I have to return it for a refund?"
    ).run()
    source = next(b for b in at.button if b.label == "📄 Refund policy")
    source.click().run()
    assert at.query_params["article"] == ["refund-policy"] or at.header[0].value == "Refund policy"


def test_words_hand_the_ticket_over_and_the_queue_marks_it(services: Services) -> None:
    at = app("cust-ada", ticket="tk-demo-kettle")
    at.chat_input(key="chat-tk-demo-kettle").set_value("I want to talk to a human").run()
    queue = labels(app("agent-kim"))
    assert any(label.startswith("🤝") and "Kettle leaks" in label for label in queue)
