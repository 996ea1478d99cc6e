"""Compaction against real stores, including two sessions folding at once on the emulator."""

from __future__ import annotations

import threading

from memory.base import take_snapshot
from memory.prompt import PromptContext, render_for_customer_thread
from memory.summary import CompactionResult, SummaryConfig, SummaryMemory
from memory.tokens import CharCounter
from tests.support.factories import created, customer_says, make_ticket
from tests.support.fakes import FakeSummarizer
from tickets.domain import ConversationRef
from tickets.store import Store

CONFIG = SummaryConfig(
    budget_tokens=800, compact_trigger_tokens=200, keep_recent_tokens=60, summary_max_tokens=200
)
CONTEXT = PromptContext("You help customers.", "Subject: kettle", render_for_customer_thread)


def test_two_concurrent_compactions_one_wins_nothing_lost(store: Store) -> None:
    ticket = created(store, make_ticket())
    conv = ConversationRef(ticket.id)
    for i in range(40):
        store.threads.append(conv, customer_says(f"message {i} about order ORD-{1000 + i}"))
    barrier = threading.Barrier(2)  # both sessions read version 0 before either saves
    summarizers = [FakeSummarizer(barrier=barrier), FakeSummarizer(barrier=barrier)]
    results: list[CompactionResult] = []

    def compact(summarizer: FakeSummarizer) -> None:
        memory = SummaryMemory(store.threads, store.checkpoints, CharCounter(), summarizer, CONFIG)
        results.append(memory.maintain(conv))

    threads = [threading.Thread(target=compact, args=(s,)) for s in summarizers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in results) == ["compacted", "lost_race"]
    winner = next(r for r in results if r.status == "compacted")
    checkpoint = store.checkpoints.get(conv)
    assert checkpoint is not None
    assert checkpoint.version == 1 and checkpoint.covered_seq == winner.covered_seq
    assert len(store.threads.after(conv, after_seq=0, limit=100)) == 40
    memory = SummaryMemory(
        store.threads, store.checkpoints, CharCounter(), FakeSummarizer(), CONFIG
    )
    plan = memory.build(conv, CONTEXT, take_snapshot(store.checkpoints, conv, 40))
    assert plan.summarized_through == winner.covered_seq
    assert "ORD-1000" in plan.messages[1].content  # pinned from the folded part
    assert plan.messages[-1].content == "message 39 about order ORD-1039"
