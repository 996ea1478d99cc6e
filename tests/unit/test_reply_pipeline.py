"""One reply pipeline for the assistant and the copilot: the prompt is built and counted as
sent before anything is stored, replies never stay stuck, compaction never holds anyone up,
and a resend or a retry is never silently dropped or charged twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from assistant.errors import ContextTooLong
from memory.settings import MemorySettings
from memory.tokens import CharCounter, prompt_tokens
from tests.support.fakes import FakeModel, FakeReply
from tests.support.services import access, make_services
from tests.support.users import ADA, KIM
from tickets import replies
from tickets.domain import (
    STALLED_REPLY,
    AuthorRole,
    ConversationRef,
    MessageStatus,
    NewMessage,
    Usage,
    utcnow,
)
from tickets.errors import Conflict, StoreUnavailable
from tickets.ids import new_message_id
from tickets.store import Store

PENDING = MessageStatus.PENDING


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def replies_in(store: Store, ticket_id: str) -> list[MessageStatus]:
    messages = store.threads.newest(ConversationRef(ticket_id), limit=50)
    return [m.status for m in messages if m.author_role is AuthorRole.ASSISTANT]


def test_a_prompt_that_cannot_be_built_leaves_nothing_pending(sqlite: Store) -> None:
    model = FakeModel()
    svc = make_services(sqlite, model, memory=MemorySettings(budget_tokens=40))
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    with pytest.raises(ContextTooLong):  # the instructions alone do not fit 40 tokens
        svc.assistant.reply(access(svc, ADA.uid, ticket.id))
    assert replies_in(sqlite, ticket.id) == [] and model.prompts == []


def test_a_store_failure_while_building_leaves_nothing_pending(sqlite: Store) -> None:
    svc = make_services(sqlite)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")

    def unreachable(conv: ConversationRef) -> None:
        raise StoreUnavailable("test")

    object.__setattr__(sqlite, "checkpoints", _Patched(sqlite.checkpoints, get=unreachable))
    with pytest.raises(StoreUnavailable):
        svc.assistant.reply(access(svc, ADA.uid, ticket.id))
    assert replies_in(sqlite, ticket.id) == []


class _Patched:
    """A store part with one method replaced (to make one call fail)."""

    def __init__(self, inner: object, **methods: Callable[..., object]) -> None:
        self._inner, self._methods = inner, methods

    def __getattr__(self, name: str) -> object:
        return self._methods.get(name) or getattr(self._inner, name)


def test_what_is_counted_is_what_is_sent_even_after_redaction(sqlite: Store) -> None:
    """300 short e-mail addresses become longer placeholders: the budget holds for what is sent."""
    model = FakeModel()
    budget = 1500
    later: list[Callable[[], None]] = []  # no compaction: the prompt is the last request
    svc = make_services(
        sqlite, model, memory=MemorySettings(budget_tokens=budget), run_later=later.append
    )
    ticket = svc.tickets.open_ticket(ADA, "Mailing list", "Please remove these addresses.")
    on_ticket = access(svc, ADA.uid, ticket.id)
    for n in range(300):
        svc.tickets.post(on_ticket, f"also a{n}@x.io")
    run = svc.assistant.reply(on_ticket)
    assert run is not None
    "".join(run)
    sent = model.prompts[-1]
    assert "a299@x.io" not in " ".join(m.content for m in sent)  # redacted
    assert "<EMAIL_" in sent[-1].content
    assert prompt_tokens(CharCounter(), sent) == run.plan.tokens <= budget


def test_the_copilot_compacts_in_the_background_like_the_assistant(sqlite: Store) -> None:
    jobs: list[Callable[[], None]] = []
    memory = MemorySettings(
        budget_tokens=900, compact_trigger_tokens=120, keep_recent_tokens=40, summary_max_tokens=200
    )
    svc = make_services(sqlite, FakeModel(), memory=memory, run_later=jobs.append)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    on_ticket = access(svc, KIM.uid, ticket.id)
    copilot = ConversationRef(ticket.id, KIM.uid)
    for n in range(8):
        run = svc.copilot.ask(on_ticket, f"Question {n}: what should I tell her about the base?")
        "".join(run)
        assert sqlite.checkpoints.get(copilot) is None  # nothing folded while the agent waits
    assert len(jobs) == 1  # one upkeep job, run later; the newest answer's waits
    for job in jobs:
        job()
    checkpoint = sqlite.checkpoints.get(copilot)
    assert checkpoint is not None and checkpoint.covered_seq > 0


def test_a_resend_with_edited_text_is_a_new_message_never_dropped(sqlite: Store) -> None:
    """The first send reached the store although it reported an error; the edit still lands."""
    svc = make_services(sqlite)
    ticket = svc.tickets.open_ticket(ADA, "Refund", "Hello")
    on_ticket = access(svc, ADA.uid, ticket.id)
    first = svc.tickets.post(on_ticket, "The refund should be 20 EUR", message_id="m-draft-1")
    edited = svc.tickets.post(on_ticket, "The refund should be 25 EUR", message_id="m-draft-1")
    same = svc.tickets.post(on_ticket, "The refund should be 20 EUR", message_id="m-draft-1")
    texts = [m.text for m in svc.tickets.thread(on_ticket).messages]
    assert texts == ["Hello", "The refund should be 20 EUR", "The refund should be 25 EUR"]
    assert edited.id != first.id and edited.seq == first.seq + 1 and same == first


def test_a_message_id_of_someone_elses_message_is_refused(sqlite: Store) -> None:
    svc = make_services(sqlite)
    ticket = svc.tickets.open_ticket(ADA, "Refund", "Hello")
    note = svc.tickets.post(access(svc, KIM.uid, ticket.id), "VIP: approve", internal=True)
    with pytest.raises(Conflict):
        svc.tickets.post(access(svc, ADA.uid, ticket.id), "hi", message_id=note.id)
    customer_view = svc.tickets.thread(access(svc, ADA.uid, ticket.id)).messages
    assert [m.text for m in customer_view] == ["Hello"]  # the note never came back


def test_a_stalled_reply_shows_failed_can_be_retried_and_is_folded_past(sqlite: Store) -> None:
    clock = Clock()
    svc = make_services(sqlite, FakeModel(), clock=clock)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    conv = ConversationRef(ticket.id)
    pending = NewMessage(new_message_id(), "assistant", AuthorRole.ASSISTANT, "", status=PENDING)
    stuck = sqlite.threads.append(conv, pending)  # its writer died before finishing
    sqlite.threads.revise(conv, stuck.id, replies.heartbeat(0, "Half of an ans", clock.now))
    on_ticket = access(svc, ADA.uid, ticket.id)
    assert svc.tickets.thread(on_ticket).messages[-1].status is PENDING  # still writing
    clock.advance(svc.settings.model.stall_timeout_s + 1)
    shown = svc.tickets.thread(on_ticket).messages[-1]
    assert shown.status is MessageStatus.FAILED and shown.error == STALLED_REPLY
    assert shown.text == "Half of an ans"  # what was streamed is kept
    run = svc.assistant.retry(on_ticket, stuck.id)
    assert run is not None and "".join(run)
    assert run.message is not None and run.message.status is MessageStatus.COMPLETE
    assert run.message.seq == stuck.seq and run.message.attempt == 1


def test_a_writer_that_comes_back_after_a_retry_changes_nothing(sqlite: Store) -> None:
    clock = Clock()
    svc = make_services(sqlite, FakeModel(), clock=clock)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    conv = ConversationRef(ticket.id)
    stuck = sqlite.threads.append(
        conv, NewMessage(new_message_id(), "assistant", AuthorRole.ASSISTANT, "", status=PENDING)
    )
    clock.advance(svc.settings.model.stall_timeout_s + 1)
    retried = sqlite.threads.revise(conv, stuck.id, replies.start_attempt(clock.now, 60))
    assert retried is not None and retried.attempt == 1
    late = replies.finish(0, text="late text", status=MessageStatus.COMPLETE, now=clock.now)
    assert sqlite.threads.revise(conv, stuck.id, late) is None  # the old attempt is declined
    assert sqlite.threads.revise(conv, stuck.id, replies.heartbeat(0, "x", clock.now)) is None
    stored = sqlite.threads.get(conv, stuck.id)
    assert stored is not None and stored.text == "" and stored.status is PENDING


def test_a_superseded_reply_is_not_charged(sqlite: Store) -> None:
    clock = Clock()
    model = FakeModel().queue(FakeReply(["one ", "two"], usage=Usage(100, 2)))
    svc = make_services(sqlite, model, clock=clock)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    on_ticket = access(svc, ADA.uid, ticket.id)
    run = svc.assistant.reply(on_ticket)
    assert run is not None
    stream = iter(run)
    next(stream)  # streaming...
    clock.advance(svc.settings.model.stall_timeout_s + 1)  # ...but presumed dead
    conv = ConversationRef(ticket.id)
    sqlite.threads.revise(conv, run.pending.id, replies.start_attempt(clock.now, 60))
    list(stream)  # the first writer finishes after the retry began
    assert run.message is None  # its outcome was declined
    assert svc.budget.status(ADA.uid, ticket.id).user_used == 0  # and nothing was charged


def test_copilot_answers_use_the_same_pipeline(sqlite: Store) -> None:
    model = FakeModel().queue(FakeReply(["Half"], finish_reason="length"), FakeReply(["Full."]))
    svc = make_services(sqlite, model)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks, write to ada@example.com")
    on_ticket = access(svc, KIM.uid, ticket.id)
    run = svc.copilot.ask(on_ticket, "Summarize for me")
    "".join(run)
    assert run.message is not None and run.message.status is MessageStatus.TRUNCATED
    assert "ada@example.com" not in " ".join(m.content for m in model.prompts[0])
    again = svc.copilot.retry(on_ticket, run.message.id)
    assert "".join(again) == "Full." and again.message is not None
    assert again.message.status is MessageStatus.COMPLETE and again.message.seq == run.message.seq
