"""Memory strategies with a fake summarizer and a deterministic token counter."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from memory.base import PromptPlan
from memory.prompt import PromptContext, render_for_customer_thread
from memory.simple import FullMemory, WindowMemory
from memory.summary import SummaryConfig, SummaryMemory
from memory.tokens import CharCounter
from tests.support.factories import make_ticket
from tests.support.fakes import FakeSummarizer
from tickets.domain import AuthorRole, ConversationRef, MessageStatus, NewMessage, Visibility
from tickets.ids import new_message_id
from tickets.sqlite_store import SqliteStore

COUNTER = CharCounter(4)
CONFIG = SummaryConfig(
    budget_tokens=1200,
    compact_trigger_tokens=500,
    keep_recent_tokens=150,
    summary_max_tokens=200,
    pinned_facts_max=30,
)
CONTEXT = PromptContext(
    system_prompt="You are the support assistant for Acme Home.",
    ticket_facts="Subject: Broken kettle\nStatus: open",
    render=render_for_customer_thread,
)
FILLER = "the kettle still leaks a little when I fill it up to the top line and boil it"


@pytest.fixture
def store() -> Iterator[SqliteStore]:
    db = SqliteStore(":memory:")
    yield db
    db.close()


@pytest.fixture
def conv(store: SqliteStore) -> ConversationRef:
    return ConversationRef(store.create_ticket(make_ticket()).id)


def say(store: SqliteStore, conv: ConversationRef, text: str, role: AuthorRole) -> None:
    uid = "cust-1" if role is AuthorRole.CUSTOMER else "assistant"
    store.append_message(conv, NewMessage(new_message_id(), uid, role, text))


def turn(store: SqliteStore, conv: ConversationRef, i: int, rng: random.Random) -> None:
    words = FILLER.split()
    say(
        store,
        conv,
        f"turn {i}: " + " ".join(rng.choices(words, k=rng.randint(3, 25))),
        AuthorRole.CUSTOMER,
    )
    say(
        store,
        conv,
        "reply: " + " ".join(rng.choices(words, k=rng.randint(3, 30))),
        AuthorRole.ASSISTANT,
    )


def memory(store: SqliteStore, summarizer: FakeSummarizer) -> SummaryMemory:
    return SummaryMemory(store, COUNTER, summarizer, CONFIG)


def system_text(plan: PromptPlan) -> str:
    return plan.messages[0].content


def test_budget_is_never_exceeded_and_compaction_is_amortized(
    store: SqliteStore, conv: ConversationRef
) -> None:
    rng = random.Random(7)
    summarizer = FakeSummarizer()
    mem = memory(store, summarizer)
    turns = 300
    for i in range(turns):
        turn(store, conv, i, rng)
        plan = mem.build(conv, CONTEXT)
        assert plan.tokens <= CONFIG.budget_tokens, f"turn {i}: {plan.tokens}"
        assert plan.messages[-1].content.startswith("reply:")  # the newest message is sent
        mem.maintain(conv, plan)
    assert len(summarizer.calls) >= 10
    assert len(summarizer.calls) <= turns / 5  # amortized, not every turn
    state = store.conversation_state(conv)
    assert state.checkpoint is not None and state.checkpoint.version == len(summarizer.calls)
    # the full transcript is still there
    assert len(store.messages_after(conv, after_seq=0, limit=10_000)) == 2 * turns


def test_each_fold_sees_the_previous_summary_and_every_folded_message(
    store: SqliteStore, conv: ConversationRef
) -> None:
    rng = random.Random(1)
    summarizer = FakeSummarizer()
    mem = memory(store, summarizer)
    for i in range(80):
        turn(store, conv, i, rng)
        mem.maintain(conv, mem.build(conv, CONTEXT))
    folded_seqs = [
        int(line.split()[0][1:]) for call in summarizer.calls for line in call.transcript
    ]
    assert folded_seqs == list(range(1, len(folded_seqs) + 1))  # nothing skipped unseen
    assert summarizer.calls[0].previous_summary == ""
    assert all(c.previous_summary for c in summarizer.calls[1:])


def test_pinned_facts_survive_many_compactions(store: SqliteStore, conv: ConversationRef) -> None:
    rng = random.Random(3)
    summarizer = FakeSummarizer()  # its summaries never mention identifiers
    mem = memory(store, summarizer)
    planted = {
        2: "my order number is ORD-77123",
        3: "you can reach me at ada@example.com",
        5: "I paid $149.99 on 2026-10-02",
        8: "the model is KTL-2000X",
    }
    for i in range(200):
        if i in planted:
            say(store, conv, planted[i], AuthorRole.CUSTOMER)
        turn(store, conv, i, rng)
        mem.maintain(conv, mem.build(conv, CONTEXT))
    assert len(summarizer.calls) >= 10
    final = system_text(mem.build(conv, CONTEXT))
    for needle in ("ORD-77123", "ada@example.com", "$149.99", "2026-10-02", "KTL-2000X"):
        assert needle in final
    assert "ORD-77123" not in "".join(c.previous_summary for c in summarizer.calls)


@pytest.mark.parametrize("mode", ["raise", "empty", "long", "rambling"])
def test_failed_summary_changes_nothing_and_falls_back_within_budget(
    store: SqliteStore, conv: ConversationRef, mode: str
) -> None:
    rng = random.Random(5)
    summarizer = FakeSummarizer(mode=mode)
    mem = memory(store, summarizer)
    results = []
    for i in range(60):
        turn(store, conv, i, rng)
        plan = mem.build(conv, CONTEXT)
        assert plan.tokens <= CONFIG.budget_tokens
        results.append(mem.maintain(conv, plan))
    assert summarizer.calls  # it tried
    assert {r.status for r in results} <= {"failed", "not_needed"}
    assert any(r.status == "failed" and r.error for r in results)
    assert store.conversation_state(conv).checkpoint is None  # nothing replaced
    assert len(store.messages_after(conv, after_seq=0, limit=1000)) == 120  # nothing deleted
    plan = mem.build(conv, CONTEXT)
    assert plan.truncated and plan.omitted > 0 and "not in the assistant's context" in plan.note
    assert plan.tokens <= CONFIG.budget_tokens


def test_a_message_posted_during_compaction_is_in_the_next_prompt(
    store: SqliteStore, conv: ConversationRef
) -> None:
    rng = random.Random(9)
    for i in range(30):
        turn(store, conv, i, rng)
    summarizer = FakeSummarizer(
        during=lambda: say(store, conv, "posted while folding: ORD-55555", AuthorRole.CUSTOMER)
    )
    mem = memory(store, summarizer)
    result = mem.maintain(conv, mem.build(conv, CONTEXT))
    assert result.status == "compacted"
    plan = mem.build(conv, CONTEXT)
    assert plan.messages[-1].content == "posted while folding: ORD-55555"
    assert plan.summarized_through == result.covered_seq < store.conversation_state(conv).last_seq


def test_pending_and_failed_replies_are_not_sent_or_folded(
    store: SqliteStore, conv: ConversationRef
) -> None:
    say(store, conv, "hello", AuthorRole.CUSTOMER)
    store.append_message(
        conv,
        NewMessage(
            new_message_id(), "assistant", AuthorRole.ASSISTANT, "", status=MessageStatus.PENDING
        ),
    )
    failed = store.append_message(
        conv, NewMessage(new_message_id(), "assistant", AuthorRole.ASSISTANT, "partial")
    )
    store.finish_message(conv, failed.id, text="partial", status=MessageStatus.FAILED)
    plan = memory(store, FakeSummarizer()).build(conv, CONTEXT)
    assert [m.content for m in plan.messages[1:]] == ["hello"]


def test_system_prompt_and_ticket_facts_every_turn(
    store: SqliteStore, conv: ConversationRef
) -> None:
    rng = random.Random(2)
    mem = memory(store, FakeSummarizer())
    for i in range(60):
        turn(store, conv, i, rng)
        plan = mem.build(conv, CONTEXT)
        assert system_text(plan).startswith(CONTEXT.system_prompt)
        assert "Subject: Broken kettle" in system_text(plan)
        mem.maintain(conv, plan)
    assert "summarized" in system_text(mem.build(conv, CONTEXT))


def test_an_oversized_newest_message_is_shortened_and_said_so(
    store: SqliteStore, conv: ConversationRef
) -> None:
    say(store, conv, "x" * 6000 + " what is the refund policy?", AuthorRole.CUSTOMER)
    plan = memory(store, FakeSummarizer()).build(conv, CONTEXT)
    assert plan.shortened and plan.truncated and plan.tokens <= CONFIG.budget_tokens
    assert plan.messages[-1].content.endswith("what is the refund policy?")
    assert "too long" in plan.note


def test_customer_memory_never_sees_internal_notes(
    store: SqliteStore, conv: ConversationRef
) -> None:
    say(store, conv, "where is my refund?", AuthorRole.CUSTOMER)
    store.append_message(
        conv,
        NewMessage(
            new_message_id(), "agent-1", AuthorRole.AGENT, "VIP, approve", Visibility.INTERNAL
        ),
    )
    mem = SummaryMemory(store, COUNTER, FakeSummarizer(), CONFIG, public_only=True)
    plan = mem.build(conv, CONTEXT)
    assert "VIP" not in " ".join(m.content for m in plan.messages)


def test_window_and_full(store: SqliteStore, conv: ConversationRef) -> None:
    rng = random.Random(4)
    for i in range(100):
        turn(store, conv, i, rng)
    window = WindowMemory(store, COUNTER, CONFIG.budget_tokens).build(conv, CONTEXT)
    assert window.tokens <= CONFIG.budget_tokens and window.truncated
    assert window.first_verbatim_seq and window.omitted == window.first_verbatim_seq - 1
    full = FullMemory(store, COUNTER, CONFIG.budget_tokens).build(conv, CONTEXT)
    assert full.tokens <= CONFIG.budget_tokens and full.truncated  # fell back to the window
    small = ConversationRef(store.create_ticket(make_ticket()).id)
    say(store, small, "hi", AuthorRole.CUSTOMER)
    whole = FullMemory(store, COUNTER, CONFIG.budget_tokens).build(small, CONTEXT)
    assert not whole.truncated and whole.messages[-1].content == "hi"
