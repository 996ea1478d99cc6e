"""Memory benchmark: a 1,000-turn support conversation through the summary memory with four
summarizers, on the app's own SQLite store with encryption, the real ``ModelSummarizer`` and
summary prompt, the offline tokenizer, redaction as in the reply pipeline, and compaction in
a background worker with one job per conversation at a time (as in the app).

A turn is one message (30-120 words; customer and assistant alternate); after each, the
prompt for the next reply is built and upkeep is requested. 20 identifiers are planted in
the middle of sentences at turns 5-79 and asked about later without being repeated.

Prints every figure beside its target and exits non-zero when one is missed. Then a
10,000-message conversation with no checkpoint (a restored backup) catches up.
"""

from __future__ import annotations

import queue
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.prompts import customer_system_prompt, ticket_facts, ticket_reference
from assistant.summarizer import ModelSummarizer
from assistant.upkeep import Upkeep
from bench.memory_models import (
    FailingModel,
    ProseModel,
    ScriptedModel,
    SlowModel,
    StructuredModel,
    TurnClock,
)
from bench.memory_workload import Workload
from memory.base import PromptPlan, Snapshot
from memory.prompt import PromptContext, render_for_customer_thread
from memory.settings import MemorySettings
from memory.summary import CompactionResult, SummaryMemory
from memory.tokens import OfflineTokenCounter
from privacy.crypto import parse_keys
from privacy.redaction import Redactor
from storage.sealing import Sealer
from storage.sqlite import sqlite_store
from tests.support.counting import CountingThreads
from tickets.domain import AuthorRole, ConversationRef, NewMessage, Status, Ticket, utcnow
from tickets.ids import new_message_id
from tickets.store import Store

TURNS = 1000
KEY = "bench:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="  # 32 bytes, base64
SETTINGS = MemorySettings(
    budget_tokens=2000,
    compact_trigger_tokens=1000,
    keep_recent_tokens=200,
    summary_max_tokens=300,
    pinned_facts_max=50,
)
COUNTER = OfflineTokenCounter()


class Worker:
    """The app's background executor, made observable: one thread, jobs in order."""

    def __init__(self, clock: TurnClock) -> None:
        self.clock = clock
        self.jobs: queue.Queue[Callable[[], None]] = queue.Queue()
        self.running = False
        self._cond = threading.Condition()
        threading.Thread(target=self._loop, daemon=True).start()

    def submit(self, job: Callable[[], None]) -> None:
        with self._cond:
            self.running = True
        self.jobs.put(job)

    def _loop(self) -> None:
        while True:
            job = self.jobs.get()
            job()
            with self._cond:
                self.running = not self.jobs.empty()
                self._cond.notify_all()

    def settle(self) -> None:
        """Wait until the worker is idle or waiting for a slow model (deterministic runs)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with self._cond:
                if not self.running:
                    return
                self._cond.wait(timeout=0.002)
            if self.clock.waiting:
                return


@dataclass
class Run:
    name: str
    tokens: list[int] = field(default_factory=list)
    over_budget: int = 0
    not_verbatim: int = 0
    fg_reads: list[int] = field(default_factory=list)
    bg_reads: list[int] = field(default_factory=list)
    results: list[CompactionResult] = field(default_factory=list)
    at_reference: int = 0
    missed: list[str] = field(default_factory=list)
    at_end: int = 0
    first_failures_turn: int | None = None
    calls_after_first_failures: int = 0
    unseen: int = 0
    folds: int = 0
    model_folds: int = 0
    failed_calls: int = 0
    calls: int = 0
    input_tokens: int = 0
    charged: int = 0
    restart_same_prompt: bool = False
    restart_reads: int = 0
    reads_before_restart: int = 0
    seconds: float = 0.0


class Conversation:
    """One ticket, its memory and its upkeep, as a process of the app holds them."""

    def __init__(self, path: Path, model: ScriptedModel, clock: TurnClock, ticket: str) -> None:
        self.path, self.model, self.clock = path, model, clock
        self.conv = ConversationRef(ticket)
        self.charged: list[int] = []
        self.open()

    def open(self) -> None:
        """(Re)start: open the store, build the memory and a fresh background worker."""
        self.store: Store = sqlite_store(self.path, Sealer(parse_keys(KEY)))
        self.threads = CountingThreads(self.store.threads)
        redactor = Redactor(self.conv.ticket_id)
        summarizer = ModelSummarizer(
            self.model, on_usage=lambda u: self.charged.append(u.total_tokens)
        )
        self.memory = SummaryMemory(
            self.threads,
            self.store.checkpoints,
            COUNTER,
            summarizer,
            SETTINGS.summary_config(),
            public_only=True,
            line_text=lambda m: redactor.text(m.text),
        )
        self.redactor = redactor
        self.worker = Worker(self.clock)
        self.upkeep = Upkeep(self.worker.submit)

    def context(self, ticket: Ticket) -> PromptContext:
        return PromptContext(
            customer_system_prompt("Acme Home"),
            ticket_facts(ticket),
            render_for_customer_thread,
            reference=ticket_reference(ticket),
            redact=self.redactor.text,
        )

    def build(self, context: PromptContext) -> PromptPlan:
        # as the reply pipeline does: the stored checkpoint, the newest messages read lazily
        return self.memory.build(
            self.conv, context, Snapshot(None, self.store.checkpoints.get(self.conv))
        )


def new_ticket(store: Store, ticket_id: str) -> Ticket:
    now = utcnow()
    ticket = Ticket(ticket_id, "cust-1", "Appliance keeps failing", now, now, Status.OPEN, "Ada")
    return store.tickets.create(ticket)[0]


def run(name: str, make_model: Callable[[TurnClock], ScriptedModel], folder: Path) -> Run:
    clock = TurnClock()
    model = make_model(clock)
    convo = Conversation(folder / f"{name}.db", model, clock, f"tk-{name}")
    ticket = new_ticket(convo.store, convo.conv.ticket_id)
    context = convo.context(ticket)
    workload = Workload()
    result = Run(name)
    began = time.perf_counter()
    results_lock = threading.Lock()

    def upkeep(plan: PromptPlan | None) -> Callable[[], None]:
        memory, threads = convo.memory, convo.threads  # this process's, not a restarted one's

        def job() -> None:  # on the worker thread: its reads are counted apart
            before = threads.read_here()
            outcome = memory.maintain(convo.conv, plan)
            with results_lock:
                result.results.append(outcome)
                result.bg_reads[-1] += threads.read_here() - before

        return job

    for turn in range(1, TURNS + 1):
        clock.advance(turn)
        convo.worker.settle()
        role = AuthorRole.CUSTOMER if turn % 2 else AuthorRole.ASSISTANT
        stored = convo.store.threads.append(
            convo.conv, NewMessage(new_message_id(), "u", role, workload.message(turn))
        )
        result.bg_reads.append(0)
        before = convo.threads.read_here()
        plan = convo.build(context)
        result.fg_reads.append(convo.threads.read_here() - before)
        result.tokens.append(plan.tokens)
        result.over_budget += plan.tokens > SETTINGS.budget_tokens
        current = context.message(stored).content
        result.not_verbatim += plan.shortened or plan.messages[-1].content != current
        text = "\n".join(m.content for m in plan.messages)
        for planted in workload.references.get(turn, ()):
            if _present(convo.redactor, planted.value, planted.redacted, text):
                result.at_reference += 1
            else:
                result.missed.append(f"{planted.value} (planted at {planted.turn}, asked {turn})")
        if turn == 500:
            result.reads_before_restart = result.fg_reads[-1]
            convo.worker.settle()
            convo.store.close()
            convo.open()  # a new process: nothing but the store survives
            again = convo.build(context)
            result.restart_same_prompt = again.messages == plan.messages
            result.restart_reads = convo.threads.read_here()
        convo.upkeep.request(convo.conv.key, upkeep(plan))
        convo.worker.settle()
        checkpoint = convo.store.checkpoints.get(convo.conv)
        if result.first_failures_turn is None and checkpoint and checkpoint.failures >= 2:
            result.first_failures_turn, calls_then = turn, model.calls
    clock.advance(TURNS + 100)
    convo.worker.settle()
    plan = convo.build(context)
    text = "\n".join(m.content for m in plan.messages)
    result.at_end = sum(
        _present(convo.redactor, p.value, p.redacted, text) for p in workload.planted
    )
    checkpoint = convo.store.checkpoints.get(convo.conv)
    covered = checkpoint.covered_seq if checkpoint else 0
    folded = {seq for r in result.results for seq in r.folded_seqs}
    model_folds = {seq for r in result.results if r.status == "compacted" for seq in r.folded_seqs}
    extractive = folded - model_folds
    result.unseen = len(set(range(1, covered + 1)) - model.seen_seqs - extractive)
    result.unseen += len(model_folds - model.seen_seqs)  # "by the model" yet never sent to it
    result.folds = sum(r.folded > 0 for r in result.results)
    result.model_folds = sum(r.status == "compacted" for r in result.results)
    result.failed_calls = sum(r.model_calls for r in result.results if r.status != "compacted")
    result.calls, result.input_tokens = model.calls, model.input_tokens
    result.charged = sum(convo.charged)
    if result.first_failures_turn is not None:
        result.calls_after_first_failures = model.calls - calls_then
    result.seconds = time.perf_counter() - began
    convo.store.close()
    return result


def _present(redactor: Redactor, value: str, redacted: bool, text: str) -> bool:
    return (redactor.text(value) if redacted else value) in text


@dataclass
class CatchUp:
    turns: int | None = None  # turns until the tail is within the trigger
    fg_reads: list[int] = field(default_factory=list)
    bg_reads: list[int] = field(default_factory=list)
    calls: int = 0
    seconds: float = 0.0


def catch_up(folder: Path, backlog: int = 10_000, max_turns: int = 40) -> CatchUp:
    """A restored backup: ``backlog`` messages and no checkpoint, then people write again."""
    clock = TurnClock()
    model = StructuredModel(COUNTER)
    convo = Conversation(folder / "catch-up.db", model, clock, "tk-backlog")
    ticket = new_ticket(convo.store, convo.conv.ticket_id)
    context = convo.context(ticket)
    workload = Workload(seed=23, turns=backlog + max_turns)
    for turn in range(1, backlog + 1):
        role = AuthorRole.CUSTOMER if turn % 2 else AuthorRole.ASSISTANT
        text = workload.message(turn)
        convo.store.threads.append(convo.conv, NewMessage(new_message_id(), "u", role, text))
    out = CatchUp()
    began = time.perf_counter()
    for turn in range(1, max_turns + 1):
        clock.advance(turn)
        role = AuthorRole.CUSTOMER if turn % 2 else AuthorRole.ASSISTANT
        text = workload.message(backlog + turn)
        convo.store.threads.append(convo.conv, NewMessage(new_message_id(), "u", role, text))
        before = convo.threads.read
        plan = convo.build(context)
        out.fg_reads.append(convo.threads.read - before)
        if plan.tail_complete and plan.unsummarized_tokens <= SETTINGS.compact_trigger_tokens:
            out.turns = turn - 1  # caught up by the upkeep of the turns before this one
            break
        before = convo.threads.read
        convo.upkeep.request(convo.conv.key, _maintain(convo, plan))
        convo.worker.settle()
        out.bg_reads.append(convo.threads.read - before)
    out.calls, out.seconds = model.calls, time.perf_counter() - began
    convo.store.close()
    return out


def _maintain(convo: Conversation, plan: PromptPlan | None) -> Callable[[], None]:
    def job() -> None:
        convo.memory.maintain(convo.conv, plan)

    return job


# -- the report ---------------------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.ok = True

    def line(self, label: str, value: str, target: str = "", met: bool = True) -> None:
        self.ok &= met
        mark = "" if not target else ("  ok" if met else "  MISSED")
        shown = f"(target {target})" if target else ""
        print(f"  {label:<46} {value:<22} {shown}{mark}")


def report(runs: list[Run], backlog: CatchUp, out: Report) -> None:
    cfg = SETTINGS
    for r in runs:
        n = len(r.tokens)
        print(f"\n{r.name} summarizer ({r.seconds:.0f} s)")
        out.line(
            "prompt tokens, max / mean",
            f"{max(r.tokens):,} / {statistics.mean(r.tokens):,.0f}",
            f"<= {cfg.budget_tokens:,}",
            r.over_budget == 0,
        )
        out.line("turns over budget", f"{r.over_budget}", "0", r.over_budget == 0)
        out.line(
            "turns the current message was not verbatim",
            f"{r.not_verbatim}",
            "0",
            r.not_verbatim == 0,
        )
        planted = 20
        out.line(
            "planted facts in the prompt at their reference turn",
            f"{r.at_reference}/{planted}" + (f" lost: {'; '.join(r.missed)}" if r.missed else ""),
            f"{planted}/{planted}",
            r.at_reference == planted,
        )
        out.line(
            f"planted facts in the prompt at turn {TURNS}",
            f"{r.at_end}/{planted}",
            f"{planted}/{planted}",
            r.at_end == planted,
        )
        out.line("messages folded unseen", f"{r.unseen}", "0", r.unseen == 0)
        extractive = r.folds - r.model_folds
        out.line(
            "folds per turn",
            f"{r.folds / n:.3f} ({r.model_folds} model, {extractive} extractive)",
            "<= 0.12" if r.name == "structured" else "",
            r.folds / n <= 0.12 or r.name != "structured",
        )
        out.line(
            "summarizer calls / input tokens",
            f"{r.calls} / {r.input_tokens:,}",
            "<= 150,000 tokens" if r.name == "structured" else "",
            r.input_tokens <= 150_000 or r.name != "structured",
        )
        out.line("failed summarizer calls (each counted)", f"{r.failed_calls}")
        out.line("tokens charged (provider-reported usage)", f"{r.charged:,}")
        if r.name == "failing":
            after = TURNS - (r.first_failures_turn or TURNS)
            rate = r.calls_after_first_failures / after if after else 0.0
            out.line(
                "model calls per turn after the first failures",
                f"{rate:.3f} ({r.calls_after_first_failures} in {after} turns)",
                "<= 0.05",
                rate <= 0.05,
            )
        late = r.fg_reads[-100:]
        early = r.fg_reads[100:200]
        out.line(
            "messages read per turn, prompt: mean / max",
            f"{statistics.mean(r.fg_reads):.1f} / {max(r.fg_reads)}",
            "<= 60 (two pages)",
            max(r.fg_reads) <= 60,
        )
        out.line(
            "messages read per turn, upkeep: mean / max",
            f"{statistics.mean(r.bg_reads):.1f} / {max(r.bg_reads)}",
        )
        growth = statistics.mean(late) / max(statistics.mean(early), 1)
        out.line(
            "prompt reads, turns 900-1000 vs 100-200",
            f"{growth:.2f}x",
            "<= 1.5x (bounded by the budget)",
            growth <= 1.5,
        )
        out.line(
            "restart at turn 500: same prompt after it",
            "yes" if r.restart_same_prompt else "no",
            "yes",
            r.restart_same_prompt,
        )
        out.line(
            "restart at turn 500: messages read to rebuild",
            f"{r.restart_reads} (a turn before: {r.reads_before_restart})",
            "no more than a turn",
            r.restart_reads <= max(r.reads_before_restart, 30),
        )
    print(
        "\ncatch-up: 10,000 messages, no checkpoint, then people write again "
        f"({backlog.seconds:.0f} s)"
    )
    turns = backlog.turns
    out.line(
        "turns until within the trigger",
        "never (40+)" if turns is None else f"{turns}",
        "<= 20",
        turns is not None and turns <= 20,
    )
    out.line(
        "messages read per turn, prompt: max",
        f"{max(backlog.fg_reads)}",
        "<= 60",
        max(backlog.fg_reads) <= 60,
    )
    out.line(
        "messages read per turn, background: max",
        f"{max(backlog.bg_reads or [0]):,}",
        f"<= {11 * (cfg.fold_max_messages + 1):,} (11 chunks)",
        max(backlog.bg_reads or [0]) <= 11 * (cfg.fold_max_messages + 1),
    )
    out.line("summarizer calls during catch-up", f"{backlog.calls}")


def main() -> int:
    import logging

    logging.getLogger().setLevel(logging.CRITICAL)  # failures are counted, not logged here
    print(
        f"Memory benchmark: {TURNS} turns of 30-120 words, 20 planted identifiers, "
        f"budget {SETTINGS.budget_tokens:,} tokens (trigger {SETTINGS.compact_trigger_tokens:,}, "
        f"keep {SETTINGS.keep_recent_tokens}, summary <= {SETTINGS.summary_max_tokens}), "
        f"{COUNTER.name}, SQLite with encryption"
    )
    print(
        "For comparison (measured by issue 11 on such a workload): LangMem 0.10 folds per turn, "
        "152,000 summarizer input tokens, 0/20 facts kept; LangChain's summary buffer 435,000."
    )
    models: dict[str, Callable[[TurnClock], ScriptedModel]] = {
        "structured": lambda clock: StructuredModel(COUNTER),
        "prose": lambda clock: ProseModel(COUNTER),
        "failing": lambda clock: FailingModel(COUNTER),
        "slow": lambda clock: SlowModel(COUNTER, clock),
    }
    only = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        runs = [
            run(name, make, folder) for name, make in models.items() if not only or name in only
        ]
        backlog = catch_up(folder)
    out = Report()
    report(runs, backlog, out)
    print("\ntargets met" if out.ok else "\nTARGETS MISSED")
    return 0 if out.ok else 1


if __name__ == "__main__":
    sys.exit(main())
