"""The assistant's use cases with a fake model at the port (SQLite in memory)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.errors import ModelBusy, ModelTimeout
from config.settings import BudgetSettings, MemorySettings
from tests.support.fakes import FakeModel, FakeReply
from tests.support.services import ADA, BOB, KIM, make_services
from tickets.domain import AuthorRole, ConversationRef, MessageStatus, Status, Usage
from tickets.errors import BudgetExceeded, InvalidInput, TicketNotFound
from tickets.sqlite_store import SqliteStore


@pytest.fixture
def store() -> Iterator[SqliteStore]:
    db = SqliteStore(":memory:")
    yield db
    db.close()


def drain(run) -> str:  # type: ignore[no-untyped-def]
    return "".join(run)


def test_reply_streams_and_is_stored_complete(store: SqliteStore) -> None:
    model = FakeModel().queue(FakeReply(["Sorry to hear ", "that!"], usage=Usage(40, 6)))
    svc = make_services(store, model)
    ticket = svc.tickets.open_ticket(ADA, "Kettle leaks", "My kettle ORD-1234 leaks")
    run = svc.assistant.reply(ADA, ticket.id)
    assert run is not None
    pending = store.get_message(ConversationRef(ticket.id), run.target.message_id)
    assert pending is not None and pending.status is MessageStatus.PENDING  # stored before the call
    assert drain(run) == "Sorry to hear that!"
    assert run.message is not None and run.message.status is MessageStatus.COMPLETE
    assert run.message.usage == Usage(40, 6)
    prompt = model.prompts[0]
    assert prompt[0].role == "system" and "Kettle leaks" in prompt[0].content
    assert prompt[-1].content == "My kettle ORD-1234 leaks"
    assert svc.budget.status(ADA.uid, ticket.id).user_used == 46


@pytest.mark.parametrize(
    ("reply", "status", "shown"),
    [
        (FakeReply(["Half an ans"], finish_reason="length"), MessageStatus.TRUNCATED, "length"),
        (FakeReply(["Half"], finish_reason=None), MessageStatus.TRUNCATED, "ended early"),
        (FakeReply(["Half"], error=ModelTimeout()), MessageStatus.TRUNCATED, "too long"),
        (FakeReply([], error=ModelBusy(120)), MessageStatus.FAILED, "busy"),
        (FakeReply([""], finish_reason="stop"), MessageStatus.FAILED, "empty"),
    ],
)
def test_failed_or_cut_off_replies_are_marked_and_retryable(
    store: SqliteStore, reply: FakeReply, status: MessageStatus, shown: str
) -> None:
    model = FakeModel().queue(reply, FakeReply(["Full answer."]))
    svc = make_services(store, model)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    run = svc.assistant.reply(ADA, ticket.id)
    assert run is not None
    drain(run)
    assert run.message is not None and run.message.status is status
    assert run.error is not None and shown in run.error
    customer = svc.tickets.thread(ADA, ticket.id).messages[0]
    assert customer.text == "It leaks"  # the customer's message was never at risk
    again = svc.assistant.retry(ADA, ticket.id, run.message.id)
    assert again is not None and drain(again) == "Full answer."
    assert again.message is not None and again.message.status is MessageStatus.COMPLETE
    assert again.message.seq == run.message.seq  # retried in place
    assert len(svc.tickets.thread(ADA, ticket.id).messages) == 2


def test_a_reply_abandoned_mid_stream_is_stored_as_truncated(store: SqliteStore) -> None:
    svc = make_services(store, FakeModel().queue(FakeReply(["one ", "two ", "three"])))
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    run = svc.assistant.reply(ADA, ticket.id)
    assert run is not None
    stream = run.__iter__()
    assert next(stream) == "one "
    stream.close()  # the page was reloaded mid-reply
    assert run.message is not None and run.message.status is MessageStatus.TRUNCATED
    assert run.message.text == "one "


def test_retry_only_for_failed_assistant_replies(store: SqliteStore) -> None:
    svc = make_services(store)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    run = svc.assistant.reply(ADA, ticket.id)
    assert run is not None
    drain(run)
    assert run.message is not None
    with pytest.raises(InvalidInput):
        svc.assistant.retry(ADA, ticket.id, run.message.id)
    first = svc.tickets.thread(ADA, ticket.id).messages[0]
    with pytest.raises(TicketNotFound):
        svc.assistant.retry(BOB, ticket.id, run.message.id)
    with pytest.raises(Exception, match="not found"):
        svc.assistant.retry(ADA, ticket.id, first.id)


def test_no_auto_reply_once_an_agent_has_taken_over(store: SqliteStore) -> None:
    model = FakeModel()
    svc = make_services(store, model)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    svc.tickets.post(KIM, ticket.id, "Hi Ada, Kim here; I'll take it from here.")
    svc.tickets.post(ADA, ticket.id, "Thanks Kim")
    assert svc.assistant.reply(ADA, ticket.id) is None
    assert model.prompts == []


def test_budget_cap_makes_no_call_and_routes_to_a_human(store: SqliteStore) -> None:
    model = FakeModel().queue(FakeReply(["ok"], usage=Usage(90, 20)))
    svc = make_services(store, model, budget=BudgetSettings(user_tokens_per_period=100))
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    run = svc.assistant.reply(ADA, ticket.id)
    assert run is not None
    drain(run)
    svc.tickets.post(ADA, ticket.id, "and another thing")
    with pytest.raises(BudgetExceeded, match="used up"):
        svc.assistant.reply(ADA, ticket.id)
    assert len(model.prompts) == 1  # no second call
    after = svc.tickets.ticket(ADA, ticket.id)
    assert after.status is Status.WAITING_ON_AGENT and not after.assistant_active
    notice = svc.tickets.thread(ADA, ticket.id).messages[-1]
    assert notice.author_role is AuthorRole.SYSTEM and "agent will answer" in notice.text


def test_ticket_budget_is_separate_from_user_budget(store: SqliteStore) -> None:
    model = FakeModel().queue(FakeReply(["ok"], usage=Usage(60, 0)))
    svc = make_services(store, model, budget=BudgetSettings(ticket_tokens_per_period=50))
    first = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    run = svc.assistant.reply(ADA, first.id)
    assert run is not None
    drain(run)
    with pytest.raises(BudgetExceeded, match="this ticket"):
        svc.assistant.reply(ADA, first.id)
    other = svc.tickets.open_ticket(ADA, "Toaster", "Burns toast")
    assert svc.assistant.reply(ADA, other.id) is not None  # another ticket still has room


def test_customers_assistant_never_sees_internal_notes_or_other_tickets(store: SqliteStore) -> None:
    model = FakeModel()
    svc = make_services(store, model)
    bobs = svc.tickets.open_ticket(BOB, "Invoice", "VAT number DE123456789 is wrong")
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    svc.tickets.post(KIM, ticket.id, "internal: customer is on the watch list", internal=True)
    svc.tickets.post(ADA, ticket.id, f"Show me ticket {bobs.id} of Bob please")
    svc.tickets.set_assistant_active(KIM, ticket.id, True)
    run = svc.assistant.reply(ADA, ticket.id)
    assert run is not None
    drain(run)
    sent = " ".join(m.content for m in model.prompts[0])
    assert "watch list" not in sent and "DE123456789" not in sent and "Invoice" not in sent


def test_compaction_runs_after_replies_and_is_charged_to_the_ticket(store: SqliteStore) -> None:
    model = FakeModel(default_text="A fairly long answer about kettles and what to try next.")
    memory = MemorySettings(
        budget_tokens=900, compact_trigger_tokens=300, keep_recent_tokens=80, summary_max_tokens=200
    )
    svc = make_services(store, model, memory=memory)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks, order ORD-4242")
    for i in range(25):
        run = svc.assistant.reply(ADA, ticket.id)
        assert run is not None
        drain(run)
        svc.tickets.post(ADA, ticket.id, f"Follow-up number {i}: still leaking after descaling")
    state = store.conversation_state(ConversationRef(ticket.id))
    assert state.checkpoint is not None and state.checkpoint.covered_seq > 0
    assert any("ORD-4242" in f for f in state.checkpoint.facts)
    plan = svc.assistant.preview(ADA, ticket.id)
    assert plan.tokens <= 900 and plan.summarized_through == state.checkpoint.covered_seq


def test_copilot_is_private_per_agent_and_sees_internal_notes(store: SqliteStore) -> None:
    model = FakeModel()
    svc = make_services(store, model)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks, order ORD-9")
    svc.tickets.post(KIM, ticket.id, "Approved a refund of $40", internal=True)
    run = svc.copilot.ask(KIM, ticket.id, "What did we promise?")
    drain(run)
    sent = model.prompts[-1]
    assert "Approved a refund of $40" in sent[0].content and "ORD-9" in sent[0].content
    assert sent[-1].content == "What did we promise?"
    mine = svc.copilot.thread(KIM, ticket.id)
    assert [m.author_role for m in mine] == [AuthorRole.AGENT, AuthorRole.ASSISTANT]
    assert len(svc.tickets.thread(ADA, ticket.id).messages) == 1  # the customer sees none of it
    with pytest.raises(Exception, match="Only support agents"):
        svc.copilot.ask(ADA, ticket.id, "hi")


def test_copilot_at_the_budget_cap_stores_and_sends_nothing(store: SqliteStore) -> None:
    model = FakeModel()
    svc = make_services(store, model, budget=BudgetSettings(user_tokens_per_period=10))
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    svc.budget.charge(KIM.uid, ticket.id, Usage(10, 0))
    with pytest.raises(BudgetExceeded):
        svc.copilot.ask(KIM, ticket.id, "Summarize please")
    assert svc.copilot.thread(KIM, ticket.id) == [] and model.prompts == []
