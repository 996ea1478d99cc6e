"""Compaction against real stores, including two sessions folding at once on the emulator."""

from __future__ import annotations

import threading

from memory.prompt import PromptContext, render_for_customer_thread
from memory.summary import CompactionResult, SummaryConfig, SummaryMemory
from memory.tokens import CharCounter
from tests.support.factories import customer_says, make_ticket
from tests.support.fakes import FakeSummarizer
from tickets.domain import ConversationRef
from tickets.store import TicketStore

CONFIG = SummaryConfig(
    budget_tokens=800, compact_trigger_tokens=200, keep_recent_tokens=60, summary_max_tokens=200
)
CONTEXT = PromptContext("You help customers.", "Subject: kettle", render_for_customer_thread)


def test_two_concurrent_compactions_one_wins_nothing_lost(store: TicketStore) -> None:
    ticket = store.create_ticket(make_ticket())
    conv = ConversationRef(ticket.id)
    for i in range(40):
        store.append_message(conv, customer_says(f"message {i} about order ORD-{1000 + i}"))
    barrier = threading.Barrier(2)  # both sessions read version 0 before either saves
    summarizers = [FakeSummarizer(barrier=barrier), FakeSummarizer(barrier=barrier)]
    results: list[CompactionResult] = []

    def compact(summarizer: FakeSummarizer) -> None:
        results.append(SummaryMemory(store, CharCounter(), summarizer, CONFIG).maintain(conv))

    threads = [threading.Thread(target=compact, args=(s,)) for s in summarizers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in results) == ["compacted", "lost_race"]
    winner = next(r for r in results if r.status == "compacted")
    state = store.conversation_state(conv)
    assert state.checkpoint is not None
    assert state.checkpoint.version == 1 and state.checkpoint.covered_seq == winner.covered_seq
    assert len(store.messages_after(conv, after_seq=0, limit=100)) == 40
    plan = SummaryMemory(store, CharCounter(), FakeSummarizer(), CONFIG).build(conv, CONTEXT)
    assert plan.summarized_through == winner.covered_seq
    assert "ORD-1000" in plan.messages[0].content  # pinned from the folded part
    assert plan.messages[-1].content == "message 39 about order ORD-1039"
