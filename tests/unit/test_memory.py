"""Memory strategies with a fake summarizer and a deterministic token counter."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from memory.base import MemoryStrategy, PromptPlan, take_snapshot
from memory.notes import parse_notes
from memory.prompt import PromptContext, render_for_customer_thread
from memory.simple import FullMemory, WindowMemory
from memory.summary import SummaryConfig, SummaryMemory
from memory.tokens import CharCounter
from tests.support.counting import CountingThreads
from tests.support.factories import created, make_ticket
from tests.support.fakes import FakeSummarizer
from tickets.domain import (
    AuthorRole,
    ConversationRef,
    MessageStatus,
    NewMessage,
    Visibility,
)
from tickets.ids import new_message_id
from tickets.store import Store

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
def store(sqlite: Store) -> Store:
    return sqlite


@pytest.fixture
def conv(store: Store) -> ConversationRef:
    return ConversationRef(created(store, make_ticket()).id)


def build(store: Store, mem: MemoryStrategy, conv: ConversationRef) -> PromptPlan:
    """What a caller does: the conversation as it stands, then the plan."""
    snap = take_snapshot(store.checkpoints, conv, store.threads.last_seq(conv))
    return mem.build(conv, CONTEXT, snap)


def say(store: Store, conv: ConversationRef, text: str, role: AuthorRole) -> None:
    uid = "cust-1" if role is AuthorRole.CUSTOMER else "assistant"
    store.threads.append(conv, NewMessage(new_message_id(), uid, role, text))


def turn(store: Store, conv: ConversationRef, i: int, rng: random.Random) -> None:
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


def memory(store: Store, summarizer: FakeSummarizer) -> SummaryMemory:
    return SummaryMemory(store.threads, store.checkpoints, COUNTER, summarizer, CONFIG)


def system_text(plan: PromptPlan) -> str:
    return plan.messages[0].content


def preamble_text(plan: PromptPlan) -> str:
    """The instructions and the reference data (memory lives in the latter)."""
    return "\n".join(m.content for m in plan.messages[:2])


def test_budget_is_never_exceeded_and_compaction_is_amortized(
    store: Store, conv: ConversationRef
) -> None:
    rng = random.Random(7)
    summarizer = FakeSummarizer()
    mem = memory(store, summarizer)
    turns = 300
    for i in range(turns):
        turn(store, conv, i, rng)
        plan = build(store, mem, conv)
        assert plan.tokens <= CONFIG.budget_tokens, f"turn {i}: {plan.tokens}"
        assert plan.messages[-1].content.startswith("reply:")  # the newest message is sent
        mem.maintain(conv, plan)
    assert len(summarizer.calls) >= 10
    assert len(summarizer.calls) <= turns / 5  # amortized, not every turn
    checkpoint = store.checkpoints.get(conv)
    assert checkpoint is not None and checkpoint.version == len(summarizer.calls)
    # the full transcript is still there
    assert len(store.threads.after(conv, after_seq=0, limit=10_000)) == 2 * turns


def test_each_fold_sees_the_previous_summary_and_every_folded_message(
    store: Store, conv: ConversationRef
) -> None:
    rng = random.Random(1)
    summarizer = FakeSummarizer()
    mem = memory(store, summarizer)
    for i in range(80):
        turn(store, conv, i, rng)
        mem.maintain(conv, build(store, mem, conv))
    folded_seqs = [
        int(line.split()[0][1:]) for call in summarizer.calls for line in call.transcript
    ]
    assert folded_seqs == list(range(1, len(folded_seqs) + 1))  # nothing skipped unseen
    assert summarizer.calls[0].previous_summary == ""
    assert all(c.previous_summary for c in summarizer.calls[1:])


def test_pinned_facts_survive_many_compactions(store: Store, conv: ConversationRef) -> None:
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
        mem.maintain(conv, build(store, mem, conv))
    assert len(summarizer.calls) >= 10
    final = preamble_text(build(store, mem, conv))
    for needle in ("ORD-77123", "ada@example.com", "$149.99", "2026-10-02", "KTL-2000X"):
        assert needle in final
    assert "ORD-77123" not in "".join(c.previous_summary for c in summarizer.calls)


@pytest.mark.parametrize("mode", ["ok", "json", "prose"])
def test_a_summary_in_any_form_is_used(store: Store, conv: ConversationRef, mode: str) -> None:
    """Headings, JSON or plain prose: each is parsed, none is refused for its form."""
    rng = random.Random(5)
    summarizer = FakeSummarizer(mode=mode)
    mem = memory(store, summarizer)
    results = []
    for i in range(60):
        turn(store, conv, i, rng)
        results.append(mem.maintain(conv, build(store, mem, conv)))
    assert {r.status for r in results} <= {"compacted", "not_needed"}
    checkpoint = store.checkpoints.get(conv)
    assert checkpoint is not None and checkpoint.version == len(summarizer.calls) >= 3
    assert not checkpoint.extractive and checkpoint.failures == 0
    assert "kettle" in checkpoint.summary.lower()
    assert checkpoint.summary == parse_notes(checkpoint.summary).render()  # canonical form


@pytest.mark.parametrize("mode", ["raise", "empty", "long", "rambling", "loop"])
def test_a_failing_model_still_makes_progress_within_budget(
    store: Store, conv: ConversationRef, mode: str
) -> None:
    rng = random.Random(5)
    summarizer = FakeSummarizer(mode=mode)
    mem = memory(store, summarizer)
    results = []
    for i in range(120):
        turn(store, conv, i, rng)
        plan = build(store, mem, conv)
        assert plan.tokens <= CONFIG.budget_tokens
        assert not plan.truncated, f"turn {i}: something left the prompt unsummarized"
        results.append(mem.maintain(conv, plan))
    statuses = [r.status for r in results]
    assert "failed" in statuses and "extractive" in statuses
    assert all(r.error for r in results if r.status == "failed")
    over_trigger = sum(s != "not_needed" for s in statuses)
    # backed off (2, 4, 8, ... messages between calls), not asked at every fold
    assert len(summarizer.calls) <= 8 < over_trigger
    checkpoint = store.checkpoints.get(conv)
    assert checkpoint is not None and checkpoint.extractive and checkpoint.covered_seq > 100
    assert checkpoint.failures == len(summarizer.calls)  # every failed call counted
    assert "Summary:" in checkpoint.summary and "#" in checkpoint.summary  # first sentences
    assert "(extractive" in preamble_text(build(store, mem, conv))  # the model is told so
    folded = sorted(seq for r in results for seq in r.folded_seqs)
    assert folded == list(range(1, checkpoint.covered_seq + 1))  # each once, none unseen
    assert len(store.threads.after(conv, after_seq=0, limit=1000)) == 240  # nothing deleted


def test_facts_are_pinned_on_the_first_failure(store: Store, conv: ConversationRef) -> None:
    rng = random.Random(6)
    say(store, conv, "my order number is 48213 and I paid $149.99", AuthorRole.CUSTOMER)
    mem = memory(store, FakeSummarizer(mode="raise"))
    while (result := mem.maintain(conv, build(store, mem, conv))).status == "not_needed":
        turn(store, conv, 0, rng)
    assert result.status == "failed"
    checkpoint = store.checkpoints.get(conv)
    assert checkpoint is not None and checkpoint.covered_seq == 0  # nothing folded yet
    assert {"order: 48213", "amount: $149.99"} <= set(checkpoint.facts)
    assert "48213" in preamble_text(build(store, mem, conv))


def test_backoff_grows_and_a_later_model_summary_replaces_the_extractive_one(
    store: Store, conv: ConversationRef
) -> None:
    rng = random.Random(8)
    summarizer = FakeSummarizer(mode="raise")
    mem = memory(store, summarizer)
    called_at: list[int] = []
    for i in range(400):
        turn(store, conv, i, rng)
        calls = len(summarizer.calls)
        result = mem.maintain(conv, build(store, mem, conv))
        if len(summarizer.calls) > calls:
            called_at.append(i)
        if len(called_at) == 6 and summarizer.mode == "raise":
            summarizer.mode = "ok"  # the model is back
        if result.status == "compacted":
            break
    gaps = [b - a for a, b in itertools.pairwise(called_at[:5])]
    assert gaps == sorted(gaps) and gaps[-1] >= 4 * gaps[0]  # waits longer after each failure
    assert result.status == "compacted"
    checkpoint = store.checkpoints.get(conv)
    assert checkpoint is not None and not checkpoint.extractive and checkpoint.failures == 0
    assert "Problem:" in checkpoint.summary


def test_catch_up_folds_a_long_backlog_in_bounded_chunks(
    store: Store, conv: ConversationRef
) -> None:
    config = replace(CONFIG, fold_max_messages=50, catch_up_chunks=4)
    for i in range(1000):
        say(store, conv, f"message {i}: " + FILLER, AuthorRole.CUSTOMER)
    summarizer = FakeSummarizer()
    reads = CountingThreads(store.threads)
    mem = SummaryMemory(reads, store.checkpoints, COUNTER, summarizer, config)
    runs = 0
    while True:
        plan = build(store, mem, conv)
        assert plan.tokens <= CONFIG.budget_tokens and plan.messages_read <= 60
        runs += 1
        before = reads.read
        result = mem.maintain(conv, plan)
        assert reads.read - before <= (config.catch_up_chunks + 1) * (config.fold_max_messages + 1)
        if result.status == "not_needed":
            break
        assert result.chunks <= config.catch_up_chunks and runs < 10
    # five runs of four 50-message chunks, the model's folds of the newest part, done
    assert runs <= 8
    assert 1 <= len(summarizer.calls) <= 3  # the model summarized only the newest part
    checkpoint = store.checkpoints.get(conv)
    assert checkpoint is not None and not checkpoint.extractive
    assert build(store, mem, conv).unsummarized_tokens <= config.compact_trigger_tokens


def test_a_message_posted_during_compaction_is_in_the_next_prompt(
    store: Store, conv: ConversationRef
) -> None:
    rng = random.Random(9)
    for i in range(30):
        turn(store, conv, i, rng)
    summarizer = FakeSummarizer(
        during=lambda: say(store, conv, "posted while folding: ORD-55555", AuthorRole.CUSTOMER)
    )
    mem = memory(store, summarizer)
    result = mem.maintain(conv, build(store, mem, conv))
    assert result.status == "compacted"
    plan = build(store, mem, conv)
    assert plan.messages[-1].content == "posted while folding: ORD-55555"
    assert plan.summarized_through == result.covered_seq < store.threads.last_seq(conv)


def test_pending_and_failed_replies_are_not_sent_or_folded(
    store: Store, conv: ConversationRef
) -> None:
    say(store, conv, "hello", AuthorRole.CUSTOMER)
    store.threads.append(
        conv,
        NewMessage(
            new_message_id(), "assistant", AuthorRole.ASSISTANT, "", status=MessageStatus.PENDING
        ),
    )
    failed = store.threads.append(
        conv, NewMessage(new_message_id(), "assistant", AuthorRole.ASSISTANT, "partial")
    )
    store.threads.revise(conv, failed.id, lambda m: replace(m, status=MessageStatus.FAILED))
    plan = build(store, memory(store, FakeSummarizer()), conv)
    assert [m.content for m in plan.messages[1:]] == ["hello"]  # no memory yet: no reference


def test_system_prompt_and_ticket_facts_every_turn(store: Store, conv: ConversationRef) -> None:
    rng = random.Random(2)
    mem = memory(store, FakeSummarizer())
    for i in range(60):
        turn(store, conv, i, rng)
        plan = build(store, mem, conv)
        assert system_text(plan).startswith(CONTEXT.system_prompt)
        assert "Subject: Broken kettle" in system_text(plan)
        mem.maintain(conv, plan)
    final = build(store, mem, conv)
    assert "summarized" in final.messages[1].content and "summarized" not in system_text(final)


def test_an_oversized_newest_message_is_shortened_and_said_so(
    store: Store, conv: ConversationRef
) -> None:
    say(store, conv, "x" * 6000 + " what is the refund policy?", AuthorRole.CUSTOMER)
    plan = build(store, memory(store, FakeSummarizer()), conv)
    assert plan.shortened and plan.truncated and plan.tokens <= CONFIG.budget_tokens
    assert plan.messages[-1].content.endswith("what is the refund policy?")


def test_customer_memory_never_sees_internal_notes(store: Store, conv: ConversationRef) -> None:
    say(store, conv, "where is my refund?", AuthorRole.CUSTOMER)
    store.threads.append(
        conv,
        NewMessage(
            new_message_id(), "agent-1", AuthorRole.AGENT, "VIP, approve", Visibility.INTERNAL
        ),
    )
    mem = SummaryMemory(
        store.threads, store.checkpoints, COUNTER, FakeSummarizer(), CONFIG, public_only=True
    )
    plan = build(store, mem, conv)
    assert "VIP" not in " ".join(m.content for m in plan.messages)


def test_window_and_full(store: Store, conv: ConversationRef) -> None:
    rng = random.Random(4)
    for i in range(100):
        turn(store, conv, i, rng)
    window = build(store, WindowMemory(store.threads, COUNTER, CONFIG.budget_tokens), conv)
    assert window.tokens <= CONFIG.budget_tokens and window.truncated
    assert window.first_verbatim_seq and window.first_verbatim_seq > 1
    assert window.messages_read < 100  # read only as far back as the budget reaches
    full = build(store, FullMemory(store.threads, COUNTER, CONFIG.budget_tokens), conv)
    assert full.tokens <= CONFIG.budget_tokens and full.truncated  # fell back to the window
    small = ConversationRef(created(store, make_ticket()).id)
    say(store, small, "hi", AuthorRole.CUSTOMER)
    whole = build(store, FullMemory(store.threads, COUNTER, CONFIG.budget_tokens), small)
    assert not whole.truncated and whole.messages[-1].content == "hi"
