"""Memory benchmark: a synthetic 1,000-turn support conversation through full, window and
summary memory, with a deterministic fake summarizer and the real offline tokenizer.

Prints prompt tokens per turn (max, mean) for each strategy, summary calls per turn, and the
share of planted facts present in the prompt at the last turn.
Targets: summary never over budget and >= 20x smaller than full history at turn 1,000;
<= 1 summary call per 10 turns past the threshold; 100% of planted identifiers at turn 1,000.
"""

from __future__ import annotations

import random
import statistics
import sys
import time

from memory.base import Snapshot, take_snapshot
from memory.prompt import PromptContext, preamble, render_for_customer_thread
from memory.settings import MemorySettings
from memory.simple import WindowMemory
from memory.summary import SummaryMemory
from memory.tokens import OfflineTokenCounter, prompt_tokens
from storage.sqlite import sqlite_store
from tests.support.fakes import FakeSummarizer
from tickets.domain import AuthorRole, ConversationRef, NewMessage, Status, Ticket, utcnow
from tickets.ids import new_message_id

TURNS = 1000
PLANTED = {
    3: "My order number is ORD-48213 and I paid $189.00 on 2026-09-14.",
    40: "Please use my work email ada.l@example.org for updates.",
    150: "The serial on the back says SN-77X1-0042.",
    400: "Your colleague promised a refund of €25.50 by Nov 30.",
    700: "The replacement part is KTL-2000X, invoice INV-2026-0931.",
}
FACTS = [
    "ORD-48213",
    "$189.00",
    "2026-09-14",
    "ada.l@example.org",
    "SN-77X1-0042",
    "€25.50",
    "Nov 30",
    "KTL-2000X",
    "INV-2026-0931",
]
WORDS = [
    "the",
    "thermostat",
    "still",
    "drops",
    "off",
    "the",
    "wifi",
    "every",
    "few",
    "hours",
    "and",
    "then",
    "comes",
    "back",
    "after",
    "a",
    "while",
    "even",
    "though",
    "the",
    "router",
    "is",
    "close",
    "and",
    "other",
    "devices",
    "work",
    "fine",
]


def main() -> int:
    rng = random.Random(42)
    config = MemorySettings().summary_config()  # the shipped defaults
    counter = OfflineTokenCounter()
    store = sqlite_store(":memory:")
    now = utcnow()
    ticket, _ = store.tickets.create(
        Ticket("tk-bench", "cust-1", "Thermostat offline", now, now, Status.OPEN, "Ada")
    )
    conv = ConversationRef(ticket.id)
    context = PromptContext(
        "You are the support assistant of Acme Home. Be brief and concrete.",
        "Ticket: tk-bench\nSubject: Thermostat offline\nStatus: Open",
        render_for_customer_thread,
    )
    summarizer = FakeSummarizer()
    summary = SummaryMemory(store.threads, store.checkpoints, counter, summarizer, config)
    window = WindowMemory(store.threads, counter, config.budget_tokens)

    def snap() -> Snapshot:
        return take_snapshot(store.checkpoints, conv, store.threads.last_seq(conv))

    tokens: dict[str, list[int]] = {"full": [], "window": [], "summary": []}
    full_history = preamble(context)
    first_fold_turn = None
    began = time.perf_counter()
    for turn in range(1, TURNS + 1):
        text = PLANTED.get(turn) or " ".join(rng.choices(WORDS, k=rng.randint(6, 30)))
        for role, body in (
            (AuthorRole.CUSTOMER, text),
            (AuthorRole.ASSISTANT, " ".join(rng.choices(WORDS, k=rng.randint(8, 40)))),
        ):
            message = store.threads.append(conv, NewMessage(new_message_id(), "u", role, body))
            full_history.append(render_for_customer_thread(message))
        tokens["full"].append(prompt_tokens(counter, full_history))
        tokens["window"].append(window.build(conv, context, snap()).tokens)
        plan = summary.build(conv, context, snap())
        tokens["summary"].append(plan.tokens)
        calls_before = len(summarizer.calls)
        summary.maintain(conv, plan)
        if first_fold_turn is None and len(summarizer.calls) > calls_before:
            first_fold_turn = turn
    elapsed = time.perf_counter() - began

    last_summary = " ".join(m.content for m in summary.build(conv, context, snap()).messages)
    last_window = " ".join(m.content for m in window.build(conv, context, snap()).messages)
    kept = {
        name: [f for f in FACTS if f in text]
        for name, text in (("summary", last_summary), ("window", last_window))
    }
    calls = len(summarizer.calls)
    past = TURNS - (first_fold_turn or TURNS) + 1

    print(
        f"Memory benchmark: {TURNS} turns ({2 * TURNS} messages), "
        f"budget {config.budget_tokens} tokens, "
        f"tokenizer {counter.name}, {elapsed:.1f} s"
    )
    print(f"{'strategy':<9} {'max tokens':>11} {'mean tokens':>12} {'at turn 1000':>13}")
    for name, series in tokens.items():
        print(f"{name:<9} {max(series):>11,} {statistics.mean(series):>12,.0f} {series[-1]:>13,}")
    ratio = tokens["full"][-1] / tokens["summary"][-1]
    print(f"summary vs full at turn {TURNS}: {ratio:.1f}x smaller (target >= 20x)")
    print(
        f"summary never over budget: {max(tokens['summary']) <= config.budget_tokens} "
        f"(max {max(tokens['summary'])} of {config.budget_tokens})"
    )
    print(
        f"summary calls: {calls} in {TURNS} turns; first fold at turn {first_fold_turn}; "
        f"{calls / past:.3f} per turn past the threshold = 1 per {past / calls:.1f} turns "
        "(target <= 1 per 10)"
    )
    for name, found in kept.items():
        missing = sorted(set(FACTS) - set(found))
        print(
            f"planted facts in the {name} prompt at turn {TURNS}: {len(found)}/{len(FACTS)} "
            f"({100 * len(found) / len(FACTS):.0f}%)"
            + (f"; lost: {', '.join(missing)}" if missing else "")
        )
    ok = (
        max(tokens["summary"]) <= config.budget_tokens
        and ratio >= 20
        and calls / past <= 0.1
        and len(kept["summary"]) == len(FACTS)
    )
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
