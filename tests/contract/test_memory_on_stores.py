"""Compaction against real stores, including two sessions folding at once on the emulator."""

from __future__ import annotations

import threading
from dataclasses import replace

from memory.base import take_snapshot
from memory.prompt import PromptContext, render_for_customer_thread
from memory.summary import CompactionResult, SummaryConfig, SummaryMemory, replace_if_version
from memory.tokens import CharCounter
from tests.support.factories import created, customer_says, make_ticket
from tests.support.fakes import FakeSummarizer
from tickets.domain import Checkpoint, ConversationRef, utcnow
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


def test_backoff_state_and_the_extractive_mark_move_only_by_compare_and_set(
    store: Store,
) -> None:
    conv = ConversationRef(created(store, make_ticket()).id)
    first = Checkpoint("Summary:\n- #1 Customer: hi", ("order: 48213",), 1, 1, utcnow())
    failing = replace(first, extractive=True, failures=3, retry_at_seq=40)
    assert store.checkpoints.revise(conv, replace_if_version(0, failing)) == failing
    assert store.checkpoints.get(conv) == failing  # sealed and opened with the new fields
    stale = replace(first, version=2, failures=0)
    assert store.checkpoints.revise(conv, replace_if_version(0, stale)) is None
    assert store.checkpoints.get(conv) == failing


def test_a_failed_fold_never_overwrites_a_concurrent_success(store: Store) -> None:
    ticket = created(store, make_ticket())
    conv = ConversationRef(ticket.id)
    for i in range(40):
        store.threads.append(conv, customer_says(f"message {i} about order ORD-{1000 + i}"))
    barrier = threading.Barrier(2)
    summarizers = [FakeSummarizer(barrier=barrier), FakeSummarizer("raise", barrier=barrier)]
    results: dict[str, CompactionResult] = {}

    def compact(summarizer: FakeSummarizer) -> None:
        memory = SummaryMemory(store.threads, store.checkpoints, CharCounter(), summarizer, CONFIG)
        results[summarizer.mode] = memory.maintain(conv)

    threads = [threading.Thread(target=compact, args=(s,)) for s in summarizers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = {mode: r.status for mode, r in results.items()}
    assert statuses in (
        {"ok": "compacted", "raise": "lost_race"},  # the success first: no failure recorded
        {"ok": "lost_race", "raise": "extractive"},  # the failure first (an extractive fold:
    )  # the backlog is past the ceiling); the success is discarded and done again later
    checkpoint = store.checkpoints.get(conv)
    assert checkpoint is not None and checkpoint.version == 1
    winner = results["ok"] if statuses["ok"] == "compacted" else results["raise"]
    assert checkpoint.covered_seq == winner.covered_seq > 0
    assert checkpoint.failures == (statuses["ok"] == "lost_race")
    assert checkpoint.extractive == (statuses["ok"] == "lost_race")
