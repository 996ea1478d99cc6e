"""Whatever a person typed survives a refusal, a failure and a reload: the unsent box shows
the newest refused text, a blank send says so and leaves no empty box, and drafts (an
agent's reply, a customer's unsent message) come back in a new session from the store."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from config.bootstrap import Services
from tests.support.apptest import run_app
from tests.support.fakes import FakeModel, FakeReply
from tests.support.services import access
from tickets.domain import ConversationRef
from tickets.errors import StoreUnavailable

KETTLE = "tk-demo-kettle"


def unsent(at: AppTest) -> list[str]:
    return [str(t.value) for t in at.text_area if t.label == "Unsent message"]


def errors(at: AppTest) -> str:
    return " ".join(str(e.value) for e in at.error)


def newest_text(services: Services) -> str:
    return services.store.threads.newest(ConversationRef(KETTLE), limit=1)[0].text


def test_the_unsent_box_shows_the_newest_refused_text_also_after_a_reload(
    services: Services, model: FakeModel
) -> None:
    limit = services.settings.max_message_chars
    first, second = "a" * (limit + 1), "b" * (limit + 20)
    at = run_app("cust-ada", KETTLE)
    at.chat_input(key=f"chat-{KETTLE}").set_value(first).run()
    assert unsent(at) == [first]
    at.chat_input(key=f"chat-{KETTLE}").set_value(second).run()
    assert f"{limit + 20:,} characters" in errors(at)
    assert unsent(at) == [second]  # the second text, not the first one again
    reloaded = run_app("cust-ada", KETTLE)  # a new browser session
    assert unsent(reloaded) == [second]
    next(t for t in reloaded.text_area if t.label == "Unsent message").set_value("Short now").run()
    model.queue(FakeReply(["Thanks, noted."]))
    next(b for b in reloaded.button if b.label == "Send again").click().run()
    assert newest_text(services) in ("Short now", "Thanks, noted.")
    assert services.store.drafts.get("cust-ada", KETTLE) is None  # sent: nothing kept
    assert unsent(run_app("cust-ada", KETTLE)) == []


def test_a_text_that_failed_to_store_comes_back_after_a_reload(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise StoreUnavailable("the database did not answer")

    monkeypatch.setattr(services.tickets, "post", down)
    at = run_app("cust-ada", KETTLE)
    at.chat_input(key=f"chat-{KETTLE}").set_value("Is the seal covered?").run()
    assert unsent(at) == ["Is the seal covered?"] and at.error
    monkeypatch.undo()
    assert unsent(run_app("cust-ada", KETTLE)) == ["Is the seal covered?"]


def test_a_blank_send_says_so_and_leaves_no_empty_box(services: Services) -> None:
    at = run_app("cust-ada", KETTLE)
    before = newest_text(services)
    at.chat_input(key=f"chat-{KETTLE}").set_value("  \n\t  ").run()
    assert "Your message is empty" in errors(at)
    assert unsent(at) == []
    assert not [b for b in at.button if b.label == "Send again"]
    assert newest_text(services) == before


def test_an_agents_draft_survives_a_reload_and_goes_when_sent(services: Services) -> None:
    at = run_app("agent-kim", KETTLE)
    at.text_area(key=f"draft:{KETTLE}").set_value("Dear Ada,\n\nthe seal is covered.").run()
    reloaded = run_app("agent-kim", KETTLE)
    assert reloaded.text_area(key=f"draft:{KETTLE}").value == "Dear Ada,\n\nthe seal is covered."
    assert run_app("agent-lee", KETTLE).text_area(key=f"draft:{KETTLE}").value == ""
    next(b for b in reloaded.button if b.label == "Send").click().run()
    assert newest_text(services) == "Dear Ada,\n\nthe seal is covered."
    assert services.drafts.get(access(services, "agent-kim", KETTLE)) == ""
    assert run_app("agent-kim", KETTLE).text_area(key=f"draft:{KETTLE}").value == ""


def test_an_agents_blank_send_says_so(services: Services) -> None:
    at = run_app("agent-kim", KETTLE)
    at.text_area(key=f"draft:{KETTLE}").set_value("   ").run()
    next(b for b in at.button if b.label == "Send").click().run()
    assert "Your message is empty" in errors(at)
