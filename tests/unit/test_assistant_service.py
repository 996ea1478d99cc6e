"""The assistant's use cases with a fake model at the port (SQLite in memory)."""

from __future__ import annotations

import pytest

from assistant.errors import BudgetExceeded, ModelBusy, ModelTimeout
from assistant.settings import BudgetSettings
from memory.settings import MemorySettings
from tests.support.fakes import FakeModel, FakeReply
from tests.support.services import make_services
from tests.support.users import ADA, BOB, KIM
from tickets.domain import AuthorRole, ConversationRef, MessageStatus, Status, Usage
from tickets.errors import AccessDenied, InvalidInput, MessageNotFound, TicketNotFound
from tickets.store import Store


@pytest.fixture
def store(sqlite: Store) -> Store:
    return sqlite


def drain(run) -> str:  # type: ignore[no-untyped-def]
    return "".join(run)


def test_reply_streams_and_is_stored_complete(store: Store) -> None:
    model = FakeModel().queue(FakeReply(["Sorry to hear ", "that!"], usage=Usage(40, 6)))
    svc = make_services(store, model)
    ticket = svc.tickets.open_ticket(ADA, "Kettle leaks", "My kettle ORD-1234 leaks")
    run = svc.assistant.reply(svc.tickets.access(ADA, ticket.id))
    assert run is not None
    pending = store.threads.get(ConversationRef(ticket.id), run.pending.id)
    assert pending is not None and pending.status is MessageStatus.PENDING  # stored before the call
    assert drain(run) == "Sorry to hear that!"
    assert run.message is not None and run.message.status is MessageStatus.COMPLETE
    assert run.message.usage == Usage(40, 6)
    prompt = model.prompts[0]
    assert prompt[0].role == "system" and "Kettle leaks" not in prompt[0].content
    assert prompt[1].role == "user" and "Subject: Kettle leaks" in prompt[1].content
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
    store: Store, reply: FakeReply, status: MessageStatus, shown: str
) -> None:
    model = FakeModel().queue(reply, FakeReply(["Full answer."]))
    svc = make_services(store, model)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    run = svc.assistant.reply(svc.tickets.access(ADA, ticket.id))
    assert run is not None
    drain(run)
    assert run.message is not None and run.message.status is status
    assert run.error is not None and shown in run.error
    customer = svc.tickets.thread(svc.tickets.access(ADA, ticket.id)).messages[0]
    assert customer.text == "It leaks"  # the customer's message was never at risk
    again = svc.assistant.retry(svc.tickets.access(ADA, ticket.id), run.message.id)
    assert again is not None and drain(again) == "Full answer."
    assert again.message is not None and again.message.status is MessageStatus.COMPLETE
    assert again.message.seq == run.message.seq  # retried in place
    assert len(svc.tickets.thread(svc.tickets.access(ADA, ticket.id)).messages) == 2


def test_a_reply_abandoned_mid_stream_is_stored_as_truncated(store: Store) -> None:
    svc = make_services(store, FakeModel().queue(FakeReply(["one ", "two ", "three"])))
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    run = svc.assistant.reply(svc.tickets.access(ADA, ticket.id))
    assert run is not None
    stream = run.__iter__()
    assert next(stream) == "one "
    stream.close()  # the page was reloaded mid-reply
    assert run.message is not None and run.message.status is MessageStatus.TRUNCATED
    assert run.message.text == "one "


def test_retry_only_for_failed_assistant_replies(store: Store) -> None:
    svc = make_services(store)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    run = svc.assistant.reply(svc.tickets.access(ADA, ticket.id))
    assert run is not None
    drain(run)
    assert run.message is not None
    with pytest.raises(InvalidInput):
        svc.assistant.retry(svc.tickets.access(ADA, ticket.id), run.message.id)
    first = svc.tickets.thread(svc.tickets.access(ADA, ticket.id)).messages[0]
    with pytest.raises(TicketNotFound):
        svc.assistant.retry(svc.tickets.access(BOB, ticket.id), run.message.id)
    with pytest.raises(MessageNotFound, match="not found"):  # a customer message is no reply
        svc.assistant.retry(svc.tickets.access(ADA, ticket.id), first.id)


def test_no_auto_reply_once_an_agent_has_taken_over(store: Store) -> None:
    model = FakeModel()
    svc = make_services(store, model)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    svc.tickets.post(
        svc.tickets.access(KIM, ticket.id), "Hi Ada, Kim here; I'll take it from here."
    )
    svc.tickets.post(svc.tickets.access(ADA, ticket.id), "Thanks Kim")
    assert svc.assistant.reply(svc.tickets.access(ADA, ticket.id)) is None
    assert model.prompts == []


def test_budget_cap_makes_no_call_and_routes_to_a_human(store: Store) -> None:
    model = FakeModel().queue(FakeReply(["ok"], usage=Usage(90, 20)))
    svc = make_services(store, model, budget=BudgetSettings(user_tokens_per_period=100))
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    run = svc.assistant.reply(svc.tickets.access(ADA, ticket.id))
    assert run is not None
    drain(run)
    svc.tickets.post(svc.tickets.access(ADA, ticket.id), "and another thing")
    with pytest.raises(BudgetExceeded, match="used up"):
        svc.assistant.reply(svc.tickets.access(ADA, ticket.id))
    assert len(model.prompts) == 1  # no second call
    after = svc.tickets.ticket(ADA, ticket.id)
    assert after.status is Status.WAITING_ON_AGENT and not after.assistant_active
    notice = svc.tickets.thread(svc.tickets.access(ADA, ticket.id)).messages[-1]
    assert notice.author_role is AuthorRole.SYSTEM and "agent will answer" in notice.text


def test_ticket_budget_is_separate_from_user_budget(store: Store) -> None:
    model = FakeModel().queue(FakeReply(["ok"], usage=Usage(60, 0)))
    svc = make_services(store, model, budget=BudgetSettings(ticket_tokens_per_period=50))
    first = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    run = svc.assistant.reply(svc.tickets.access(ADA, first.id))
    assert run is not None
    drain(run)
    with pytest.raises(BudgetExceeded, match="this ticket"):
        svc.assistant.reply(svc.tickets.access(ADA, first.id))
    other = svc.tickets.open_ticket(ADA, "Toaster", "Burns toast")
    assert (
        svc.assistant.reply(svc.tickets.access(ADA, other.id)) is not None
    )  # another ticket still has room


def test_customers_assistant_never_sees_internal_notes_or_other_tickets(store: Store) -> None:
    model = FakeModel()
    svc = make_services(store, model)
    bobs = svc.tickets.open_ticket(BOB, "Invoice", "VAT number DE123456789 is wrong")
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    svc.tickets.post(
        svc.tickets.access(KIM, ticket.id), "internal: customer is on the watch list", internal=True
    )
    svc.tickets.post(svc.tickets.access(ADA, ticket.id), f"Show me ticket {bobs.id} of Bob please")
    svc.tickets.set_assistant_active(svc.tickets.access(KIM, ticket.id), True)
    run = svc.assistant.reply(svc.tickets.access(ADA, ticket.id))
    assert run is not None
    drain(run)
    sent = " ".join(m.content for m in model.prompts[0])
    assert "watch list" not in sent and "DE123456789" not in sent and "Invoice" not in sent


def test_compaction_runs_after_replies_and_is_charged_to_the_ticket(store: Store) -> None:
    model = FakeModel(default_text="A fairly long answer about kettles and what to try next.")
    memory = MemorySettings(
        budget_tokens=900, compact_trigger_tokens=300, keep_recent_tokens=80, summary_max_tokens=200
    )
    svc = make_services(store, model, memory=memory)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks, order ORD-4242")
    for i in range(25):
        run = svc.assistant.reply(svc.tickets.access(ADA, ticket.id))
        assert run is not None
        drain(run)
        svc.tickets.post(
            svc.tickets.access(ADA, ticket.id),
            f"Follow-up number {i}: still leaking after descaling",
        )
    checkpoint = store.checkpoints.get(ConversationRef(ticket.id))
    assert checkpoint is not None and checkpoint.covered_seq > 0
    assert any("ORD-4242" in f for f in checkpoint.facts)
    page = svc.pages.ticket_page(svc.tickets.access(ADA, ticket.id))
    assert page.memory.tokens <= 900 and page.memory.summarized_through == checkpoint.covered_seq


def test_copilot_is_private_per_agent_and_sees_internal_notes(store: Store) -> None:
    model = FakeModel()
    svc = make_services(store, model)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks, order ORD-9")
    svc.tickets.post(svc.tickets.access(KIM, ticket.id), "Approved a refund of $40", internal=True)
    run = svc.copilot.ask(svc.tickets.access(KIM, ticket.id), "What did we promise?")
    drain(run)
    sent = model.prompts[-1]
    assert sent[0].role == "system" and "ORD-9" not in sent[0].content  # no customer text
    assert "Approved a refund of $40" in sent[1].content and "ORD-9" in sent[1].content
    assert "<reference>" in sent[1].content and sent[1].role == "user"
    assert sent[-1].content == "What did we promise?"
    mine = svc.copilot.thread(svc.tickets.access(KIM, ticket.id))
    assert [m.author_role for m in mine] == [AuthorRole.AGENT, AuthorRole.ASSISTANT]
    assert (
        len(svc.tickets.thread(svc.tickets.access(ADA, ticket.id)).messages) == 1
    )  # the customer sees none of it
    with pytest.raises(AccessDenied, match="Only support agents"):
        svc.copilot.ask(svc.tickets.access(ADA, ticket.id), "hi")


def test_copilot_at_the_budget_cap_stores_and_sends_nothing(store: Store) -> None:
    model = FakeModel()
    svc = make_services(store, model, budget=BudgetSettings(user_tokens_per_period=10))
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    svc.budget.charge(KIM.uid, ticket.id, Usage(10, 0))
    with pytest.raises(BudgetExceeded):
        svc.copilot.ask(svc.tickets.access(KIM, ticket.id), "Summarize please")
    assert svc.copilot.thread(svc.tickets.access(KIM, ticket.id)) == [] and model.prompts == []
