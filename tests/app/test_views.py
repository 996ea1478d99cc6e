"""The views through Streamlit's AppTest, on the real composition root with fakes at the ports."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from config.bootstrap import Services
from demo.seed import LONG_TICKET
from memory.summary import replace_if_version
from tests.support.apptest import run_app, unescaped
from tests.support.fakes import FakeModel, FakeReply
from tickets.domain import ConversationRef, MessageStatus, Status, Ticket, User
from tickets.errors import StoreUnavailable
from ui.auth import DEMO_USER_KEY, identity_uid

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def app(as_user: str | None = None, ticket: str | None = None) -> AppTest:
    return run_app(as_user, ticket)


def user(services: Services, uid: str) -> User:
    found = services.store.users.get(uid)
    assert found is not None
    return found


def ticket(services: Services, tid: str) -> Ticket:
    found = services.store.tickets.get(tid)
    assert found is not None
    return found


def texts(at: AppTest) -> str:
    parts = (
        [m.value for m in at.markdown] + [e.value for e in at.error] + [w.value for w in at.warning]
    )
    parts += (
        [c.value for c in at.caption] + [i.value for i in at.info] + [h.value for h in at.header]
    )
    return unescaped("\n".join(str(p) for p in parts))  # as it reads on screen


def test_demo_sign_in_is_refused_off_loopback_without_opt_in(services: Services) -> None:
    services.settings = replace(services.settings, allow_demo_login=False)
    at = app()
    assert not at.exception
    assert "Sign-in is not configured" in texts(at)
    assert len(at.selectbox) == 0


def test_demo_sign_in_picks_a_seeded_user(services: Services) -> None:
    at = app()
    assert "Demo sign-in" in texts(at)
    at.selectbox[0].set_value("cust-ada")
    next(b for b in at.button if b.label == "Continue").click()
    at.run()
    assert at.session_state[DEMO_USER_KEY] == "cust-ada"  # in this session, not in the URL
    assert "demo_user" not in at.query_params
    assert "Signed in as **Ada Lovelace**" in texts(at)


def test_the_demo_picker_starts_on_a_customer(services: Services) -> None:
    at = app()
    picker = at.selectbox[0]
    assert user(services, str(picker.value)).role.value == "customer"
    agents = [label for label in picker.options if label.endswith("· agent")]
    assert agents and picker.options.index(agents[0]) > 0


def test_customer_sees_only_own_tickets_and_not_by_url(services: Services) -> None:
    at = app("cust-ada")
    labels = " ".join(b.label for b in at.sidebar.button)
    assert "Smart thermostat" in labels and "Kettle" in labels
    assert "VAT" not in labels and "Where is my order" not in labels
    sneaky = app("cust-ada", ticket="tk-demo-invoice")
    assert "was not found" in texts(sneaky)
    assert "DE000000000" not in texts(sneaky)
    assert [m for m in sneaky.chat_message] == []


def test_customer_chat_stores_then_streams_the_reply(services: Services, model: FakeModel) -> None:
    model.queue(FakeReply(["Yes, ", "the 2-year warranty covers it."]))  # a grounded answer
    at = app("cust-ada", ticket="tk-demo-kettle")
    at.chat_input(key="chat-tk-demo-kettle").set_value("Is it under warranty?").run()
    assert not at.exception
    bodies = [unescaped(" ".join(str(md.value) for md in m.markdown)) for m in at.chat_message]
    assert "Is it under warranty?" in bodies[-2] and "the 2-year warranty covers it" in bodies[-1]
    stored = services.store.threads.newest(ConversationRef("tk-demo-kettle"), limit=2)
    assert [m.text for m in stored] == [
        "Is it under warranty?",
        "Yes, the 2-year warranty covers it.",
    ]
    assert model.prompts[-1][-1].content == "Is it under warranty?"


def test_failed_reply_shows_retry_and_retry_completes(services: Services, model: FakeModel) -> None:
    full = "Stop using the kettle and unplug it: a leak from the base is a failed seal."
    model.queue(FakeReply(["Half"], finish_reason="length"), FakeReply([full]))
    at = app("cust-ada", ticket="tk-demo-kettle")
    at.chat_input(key="chat-tk-demo-kettle").set_value("Help?").run()
    assert "cut off" in texts(at)
    retry = next(b for b in at.button if b.label == "Retry")
    retry.click().run()
    assert not at.exception
    newest = services.store.threads.newest(ConversationRef("tk-demo-kettle"), limit=1)[0]
    assert newest.status is MessageStatus.COMPLETE and newest.text == full


def test_a_refused_message_is_kept_for_sending_again(services: Services) -> None:
    at = app("cust-ada", ticket="tk-demo-kettle")
    too_long = "x" * (services.settings.max_message_chars + 1)
    at.chat_input(key="chat-tk-demo-kettle").set_value(too_long).run()
    assert "the limit is 8,000" in texts(at)
    box = next(t for t in at.text_area if t.label == "Unsent message")
    assert box.value == too_long  # nothing typed is lost
    box.set_value("Shorter now").run()
    next(b for b in at.button if b.label == "Send again").click().run()
    stored = services.store.threads.newest(ConversationRef("tk-demo-kettle"), limit=2)
    assert stored[0].text == "Shorter now"


def test_new_ticket_form_opens_a_ticket_and_the_assistant_answers(
    services: Services, model: FakeModel
) -> None:
    model.queue(FakeReply(["Welcome! Which model is it?"]))
    at = app("cust-bob", ticket="new")
    at.text_input[0].set_value("Toaster burns bread")
    at.text_area[0].set_value("Every slice comes out black.")
    next(b for b in at.button if b.label == "Open ticket").click().run()
    assert not at.exception
    [ticket] = [
        t for t in services.tickets.my_tickets(user(services, "cust-bob")) if "Toaster" in t.subject
    ]
    messages = services.store.threads.newest(ConversationRef(ticket.id), limit=5)
    assert [m.text for m in messages] == [
        "Every slice comes out black.",
        "Welcome! Which model is it?",
    ]


def test_ask_for_a_person(services: Services) -> None:
    at = app("cust-ada", ticket="tk-demo-kettle")
    next(b for b in at.button if "Ask for a person" in b.label).click().run()
    assert ticket(services, "tk-demo-kettle").status is Status.WAITING_ON_AGENT
    assert "A support agent will reply" in texts(at) or "You asked for a person" in texts(at)


def test_summary_marker_and_context_meter_on_the_compacted_ticket(services: Services) -> None:
    at = app("cust-ada", ticket=LONG_TICKET)
    shown = texts(at)
    assert "the messages above are summarized for the assistant" in shown
    assert "#68" not in shown  # customers never see the internal numbering
    meter = " ".join(str(p.proto.text) for p in at.get("progress"))
    assert "How full its memory is" in meter and "tokens" not in meter  # customers' words
    agent = app("agent-kim", ticket=LONG_TICKET)
    assert any("Assistant context" in str(p.proto.text) for p in agent.get("progress"))


def test_agent_queue_switching_keeps_drafts_and_notes_are_internal(services: Services) -> None:
    at = app("agent-kim", ticket="tk-demo-kettle")
    labels = " ".join(b.label for b in at.sidebar.button)
    assert "Kettle" in labels and "VAT" in labels and "thermostat" in labels
    at.text_area(key="draft:tk-demo-kettle").set_value("Half-written reply").run()
    next(b for b in at.sidebar.button if "VAT" in b.label).click().run()
    assert at.query_params["ticket"] in ("tk-demo-invoice", ["tk-demo-invoice"])
    assert "Billing confirmed" in texts(at)  # agents see internal notes
    next(b for b in at.sidebar.button if "Kettle" in b.label).click().run()
    assert at.text_area(key="draft:tk-demo-kettle").value == "Half-written reply"
    at.radio(key="kind-tk-demo-kettle").set_value("Internal note").run()
    next(b for b in at.button if b.label == "Add internal note").click().run()
    newest = services.store.threads.newest(ConversationRef("tk-demo-kettle"), limit=1)[0]
    assert newest.text == "Half-written reply" and newest.is_internal
    customer = app("cust-ada", ticket="tk-demo-kettle")
    assert "Half-written reply" not in texts(customer)


def test_agent_copilot_summary_and_use_as_draft(services: Services, model: FakeModel) -> None:
    model.queue(FakeReply(["Dear Ada, a replacement is on its way."]))
    at = app("agent-kim", ticket="tk-demo-kettle")
    next(b for b in at.button if b.label == "Suggest a reply").click().run()
    assert not at.exception
    next(b for b in at.button if "reply draft" in b.label).click().run()
    assert (
        at.text_area(key="draft:tk-demo-kettle").value == "Dear Ada, a replacement is on its way."
    )
    ada = services.tickets.access(user(services, "cust-ada"), "tk-demo-kettle")
    assert len(services.tickets.thread(ada).messages) == 3


def test_oidc_sign_in_maps_the_identity_to_a_customer(services: Services) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x"}
    at.user = {"is_logged_in": False}
    at.run()
    assert any(b.label == "Sign in" for b in at.button)
    at.user = {
        "is_logged_in": True,
        "iss": "https://idp.example",
        "sub": "12345",
        "email": "new@example.com",
        "name": "New Person",
    }
    at.run()
    assert not at.exception
    uid = identity_uid("https://idp.example", "12345")
    user = services.store.users.get(uid)
    assert user is not None and user.display_name == "New Person" and not user.is_agent
    assert "Open a ticket" in texts(at)


def test_queue_filters_survive_reruns_that_change_the_counts(services: Services) -> None:
    at = app("agent-kim", ticket="tk-demo-kettle")
    assert len(at.multiselect(key="queue-status").value) == 3
    at.text_area(key="draft:tk-demo-kettle").set_value("On it")
    next(b for b in at.button if b.label == "Send").click().run()  # status and counts change
    assert len(at.multiselect(key="queue-status").value) == 3
    assert "Kettle" in " ".join(b.label for b in at.sidebar.button)


def test_signing_out_leaves_nothing_of_the_user(services: Services) -> None:
    at = app("cust-ada", ticket="tk-demo-kettle")
    at.chat_input(key="chat-tk-demo-kettle").set_value("private words").run()
    next(b for b in at.sidebar.button if b.label == "Sign out").click().run()
    assert not at.exception
    assert "Demo sign-in" in texts(at)
    assert "private words" not in texts(at) and "Kettle" not in texts(at)
    assert dict(at.query_params) == {}
    for key in ("drafts", "draft-id:tk-demo-kettle", "pages:tk-demo-kettle", "new-ticket-ids"):
        assert key not in at.session_state


def test_opening_a_ticket_clears_its_unread_dot_in_the_same_run(services: Services) -> None:
    before = app("agent-kim")
    kettle = next(b.label for b in before.sidebar.button if "Kettle" in b.label)
    assert kettle.startswith("🔵")
    opened = app("agent-kim", ticket="tk-demo-kettle")
    kettle = next(b.label for b in opened.sidebar.button if "Kettle" in b.label)
    assert not kettle.startswith("🔵")


def test_the_memory_panel_says_when_summaries_are_failing(services: Services) -> None:
    conv = ConversationRef(LONG_TICKET)
    current = services.store.checkpoints.get(conv)
    assert current is not None
    failing = replace(
        current,
        summary="Summary:\n- #12 Customer: The kettle leaks from the base.",
        version=current.version + 1,
        extractive=True,
        failures=3,
        retry_at_seq=400,
    )
    assert services.store.checkpoints.revise(conv, replace_if_version(current.version, failing))
    at = app("cust-ada", ticket=LONG_TICKET)
    shown = texts(at) + "\n".join(str(t.value) for t in at.text)
    assert "Summaries are failing; the assistant sees the newest messages only" in shown
    assert "Extractive summary" in shown and "The kettle leaks from the base." in shown
    assert "summarized at the next compaction" not in shown


def test_a_reply_another_agent_sent_meanwhile_asks_before_sending(services: Services) -> None:
    at = app("agent-kim", ticket="tk-demo-kettle")
    at.text_area(key="draft:tk-demo-kettle").input("A replacement is on its way.").run()
    lee = services.tickets.access(user(services, "agent-lee"), "tk-demo-kettle")
    services.tickets.post(lee, "Lee here: we will refund you.")
    next(b for b in at.button if b.label == "Send").click().run()
    assert "Lee Chen sent the customer a public reply" in texts(at)
    assert not any(b.label == "Send" for b in at.button)  # only the two answers
    conv = ConversationRef("tk-demo-kettle")
    assert services.store.threads.newest(conv, limit=1)[0].text == "Lee here: we will refund you."
    next(b for b in at.button if b.label == "Send anyway").click().run()
    assert services.store.threads.newest(conv, limit=1)[0].text == "A replacement is on its way."
    assert at.text_area(key="draft:tk-demo-kettle").value == ""
    at.text_area(key="draft:tk-demo-kettle").input("A note, after all").run()
    at.radio(key="kind-tk-demo-kettle").set_value("Internal note").run()
    services.tickets.post(lee, "And a coupon.")
    next(
        b for b in at.button if b.label == "Add internal note"
    ).click().run()  # collides with nobody
    assert services.store.threads.newest(conv, limit=1)[0].text == "A note, after all"


def test_keep_editing_after_a_collision_keeps_the_draft(services: Services) -> None:
    at = app("agent-kim", ticket="tk-demo-kettle")
    at.text_area(key="draft:tk-demo-kettle").input("My answer").run()
    lee = services.tickets.access(user(services, "agent-lee"), "tk-demo-kettle")
    services.tickets.post(lee, "Lee answered first.")
    next(b for b in at.button if b.label == "Send").click().run()
    next(b for b in at.button if b.label == "Keep editing").click().run()
    assert at.text_area(key="draft:tk-demo-kettle").value == "My answer"
    next(b for b in at.button if b.label == "Send").click().run()  # seen now: no question
    newest = services.store.threads.newest(ConversationRef("tk-demo-kettle"), limit=1)[0]
    assert newest.text == "My answer"


def test_an_open_page_picks_up_what_others_did_on_its_next_run(services: Services) -> None:
    customer = app("cust-ada", ticket="tk-demo-kettle")
    agent = app("agent-kim", ticket="tk-demo-kettle")
    kim = services.tickets.access(user(services, "agent-kim"), "tk-demo-kettle")
    services.tickets.post(kim, "We are sending a new kettle.")
    services.tickets.set_status(kim, Status.RESOLVED)
    customer.run()
    assert "We are sending a new kettle." in texts(customer)
    assert "Your ticket was resolved. Reply to reopen it." in texts(customer)
    ada = services.tickets.access(user(services, "cust-ada"), "tk-demo-kettle")
    services.tickets.post(ada, "It still leaks!")
    new = services.tickets.open_ticket(user(services, "cust-bob"), "Toaster smokes", "Help")
    services.tickets.assign(services.tickets.access(kim.user, new.id), "agent-kim")
    agent.run()
    assert "It still leaks" in texts(agent)
    assert any("Toaster smokes" in b.label for b in agent.sidebar.button)
    assert [t.value for t in agent.toast] == ["Assigned to you: Toaster smokes"]


def test_a_poll_that_cannot_reach_the_database_keeps_the_page(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = app("cust-ada", ticket="tk-demo-kettle")
    agent = app("agent-kim", ticket="tk-demo-kettle")

    def down(*args: object, **kwargs: object) -> None:
        raise StoreUnavailable("connection reset")

    monkeypatch.setattr(services.live, "poll", down)
    monkeypatch.setattr(services.live_queue, "poll", down)
    for at in (customer.run(), agent.run()):
        assert not at.exception
        assert "The database is not answering" in texts(at)
        assert "leaks from the base" in texts(at)  # what was last loaded stays on screen
    assert customer.chat_input(key="chat-tk-demo-kettle") is not None
    assert agent.text_area(key="draft:tk-demo-kettle") is not None
    assert any("Kettle" in b.label for b in agent.sidebar.button)


def test_a_ticket_read_while_open_has_no_dot_after_leaving_it(services: Services) -> None:
    at = app("agent-kim", ticket="tk-demo-kettle")
    ada = services.tickets.access(user(services, "cust-ada"), "tk-demo-kettle")
    services.tickets.post(ada, "Any news on the replacement?")
    at.run()  # the queue sees the change; the open page shows (and so reads) the message
    assert "Any news on the replacement?" in texts(at).replace("\\", "")
    next(b for b in at.sidebar.button if "VAT" in b.label).click().run()
    kettle = next(b.label for b in at.sidebar.button if "Kettle" in b.label)
    assert not kettle.startswith("🔵")


def queue_order(at: AppTest) -> list[str]:
    return [
        str(b.key).removeprefix("queue-") for b in at.sidebar.button if "queue-tk" in str(b.key)
    ]


def test_a_clicked_ticket_keeps_its_place_until_something_happens_to_it(
    services: Services,
) -> None:
    at = app("agent-kim")
    before = queue_order(at)
    first = before[0]  # unread, so ranked first
    next(b for b in at.sidebar.button if b.key == f"queue-{first}").click().run()
    other = next(t for t in before if t != first)
    bob_or_ada = ticket(services, other).customer_uid
    services.tickets.post(
        services.tickets.access(user(services, bob_or_ada), other), "Something new"
    )  # the queue is read again: the clicked ticket, read now, would drop below unread ones
    at.run()
    assert queue_order(at)[0] == first
    kim = services.tickets.access(user(services, "agent-kim"), first)
    services.tickets.set_labels(kim, ["vip"])  # an event on it: it may move now
    at.run()
    assert queue_order(at)[0] == other  # unread and waiting first again
