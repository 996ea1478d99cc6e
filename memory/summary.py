"""The summary strategy (the default): a persisted running summary plus the newest messages.

- The checkpoint ("covers messages through seq N", a version, pinned facts) is stored with
  the conversation. Everything after it is sent verbatim, newest first within the budget.
- :meth:`SummaryMemory.maintain` runs after a turn. When the unsummarized part passes the
  trigger, the oldest part is folded into the summary in one model call that sees the
  previous summary and every folded message; about ``trigger - keep_recent`` tokens pass
  between folds, so compaction is amortized.
- Fail-safe: an exception, an empty or an over-long summary changes nothing. The checkpoint
  moves only through a compare-and-set on its version, so of two sessions compacting at once
  one wins and nothing is lost. Messages are never deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from memory.base import PromptPlan, Snapshot, Tail, fit_newest, room_for_history
from memory.facts import merge_facts
from memory.prompt import PromptContext, memory_block, preamble
from memory.tokens import TokenCounter, prompt_tokens
from tickets.domain import AuthorRole, Checkpoint, ConversationRef, Message, MessageStatus, utcnow
from tickets.store import CheckpointChange, CheckpointStore, ThreadStore

log = logging.getLogger(__name__)
HEADINGS = ("problem", "key facts", "tried", "promises", "open questions", "next step")
MIN_HEADINGS = 4  # fewer: the model did not write the summary it was asked for
SPEAKER = {
    AuthorRole.CUSTOMER: "Customer",
    AuthorRole.ASSISTANT: "Assistant",
    AuthorRole.AGENT: "Agent",
    AuthorRole.SYSTEM: "Notice",
}


@dataclass(frozen=True)
class SummaryRequest:
    previous_summary: str
    transcript: list[str]  # one line per folded message: "#12 Customer: ..."
    max_tokens: int


class Summarizer(Protocol):
    def summarize(self, request: SummaryRequest) -> str: ...


@dataclass(frozen=True)
class SummaryConfig:
    budget_tokens: int = 4000
    compact_trigger_tokens: int = 1600
    keep_recent_tokens: int = 500
    summary_max_tokens: int = 500
    pinned_facts_max: int = 50
    fold_max_messages: int = 200
    max_tail_messages: int = 400
    stall_after_s: float = 60.0  # a pending reply silent this long is failed: fold past it

    @property
    def fold_input_max_tokens(self) -> int:
        """The folded transcript plus the previous summary must fit one model call."""
        return max(self.budget_tokens - self.summary_max_tokens - 400, 200)


@dataclass(frozen=True)
class CompactionResult:
    status: Literal["not_needed", "compacted", "failed", "lost_race"]
    covered_seq: int
    folded: int = 0
    error: str = ""
    facts_dropped: int = 0


def replace_if_version(expected: int, new: Checkpoint) -> CheckpointChange:
    """The compare-and-set rule: the checkpoint moves only if nobody moved it meanwhile."""

    def change(current: Checkpoint | None) -> Checkpoint | None:
        return new if (current.version if current else 0) == expected else None

    return change


class SummaryMemory:
    name = "summary"

    def __init__(
        self,
        threads: ThreadStore,
        checkpoints: CheckpointStore,
        counter: TokenCounter,
        summarizer: Summarizer,
        config: SummaryConfig | None = None,
        *,
        public_only: bool = False,
        line_text: Callable[[Message], str] = lambda m: m.text,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.threads, self.checkpoints = threads, checkpoints
        self.counter, self.summarizer = counter, summarizer
        self.config = config or SummaryConfig()
        self.public_only, self.line_text, self.clock = public_only, line_text, clock

    # -- the prompt for this turn ---------------------------------------------------------

    def build(self, conv: ConversationRef, context: PromptContext, snap: Snapshot) -> PromptPlan:
        checkpoint, covered = snap.checkpoint, snap.covered_seq
        tail = Tail(
            self.threads,
            conv,
            snap,
            public_only=self.public_only,
            stop_after=covered,
            max_messages=self.config.max_tail_messages,
        )
        head = preamble(context, memory_block(checkpoint, checkpoint.facts if checkpoint else ()))
        room = room_for_history(self.config.budget_tokens, head, self.counter)
        fit = fit_newest(tail, room, self.counter, context)
        messages = [*head, *fit.messages]
        return PromptPlan(
            strategy=self.name,
            messages=messages,
            tokens=prompt_tokens(self.counter, messages),
            budget=self.config.budget_tokens,
            checkpoint=checkpoint,
            summarized_through=covered,
            first_verbatim_seq=fit.first_seq,
            verbatim=len(fit.messages),
            omitted=fit.skipped,
            more_omitted=fit.stopped_early and not tail.exhausted,
            shortened=fit.shortened,
            unsummarized_tokens=fit.seen_tokens,
            tail_complete=tail.exhausted and not fit.stopped_early,
            messages_read=tail.read,
        )

    # -- compaction -----------------------------------------------------------------------

    def maintain(self, conv: ConversationRef, plan: PromptPlan | None = None) -> CompactionResult:
        cfg = self.config
        if (
            plan is not None
            and plan.tail_complete
            and plan.unsummarized_tokens <= cfg.compact_trigger_tokens
        ):
            return CompactionResult("not_needed", plan.summarized_through)
        checkpoint = self.checkpoints.get(conv)
        covered = checkpoint.covered_seq if checkpoint else 0
        now = self.clock()
        pending = [
            m.settled(now, cfg.stall_after_s)  # a reply whose writer died counts as failed
            for m in self.threads.after(
                conv, after_seq=covered, limit=cfg.fold_max_messages, public_only=self.public_only
            )
        ]
        costs = [self._cost(m) for m in pending]
        unsummarized = sum(costs)
        if unsummarized <= cfg.compact_trigger_tokens and len(pending) < cfg.fold_max_messages:
            return CompactionResult("not_needed", covered)
        fold: list[Message] = []
        fold_tokens = 0
        for message, cost in zip(pending, costs, strict=True):
            if unsummarized <= cfg.keep_recent_tokens or message.status is MessageStatus.PENDING:
                break  # keep the newest verbatim; never cover a reply still being written
            if fold and fold_tokens + cost > cfg.fold_input_max_tokens:
                break  # the rest is folded next time
            fold.append(message)
            fold_tokens += cost
            unsummarized -= cost
        if not fold:
            return CompactionResult("not_needed", covered)
        return self._fold(conv, checkpoint, fold)

    def _cost(self, message: Message) -> int:
        if not message.counts_for_memory:
            return 0
        return self.counter.count(self.line_text(message)) + 4

    def _fold(
        self, conv: ConversationRef, checkpoint: Checkpoint | None, fold: list[Message]
    ) -> CompactionResult:
        covered = checkpoint.covered_seq if checkpoint else 0
        request = SummaryRequest(
            previous_summary=checkpoint.summary if checkpoint else "",
            transcript=[
                f"#{m.seq} {SPEAKER[m.author_role]}: {self.line_text(m)}"
                for m in fold
                if m.counts_for_memory
            ],
            max_tokens=self.config.summary_max_tokens,
        )
        try:
            summary = (self.summarizer.summarize(request) or "").strip()
        except Exception as exc:  # any failure keeps everything as it was
            log.warning("summary failed for %s: %s", conv.key, type(exc).__name__)
            return CompactionResult("failed", covered, error=f"{type(exc).__name__}: {exc}")
        problem = self._reject(summary)
        if problem:
            log.warning("summary rejected for %s: %s", conv.key, problem)
            return CompactionResult("failed", covered, error=problem)
        facts, dropped = merge_facts(
            checkpoint.facts if checkpoint else (),
            (m.text for m in fold if m.counts_for_memory),  # sealed at rest, redacted per prompt
            self.config.pinned_facts_max,
        )
        version = checkpoint.version if checkpoint else 0
        updated = Checkpoint(summary, facts, fold[-1].seq, version + 1, self.clock())
        if self.checkpoints.revise(conv, replace_if_version(version, updated)) is None:
            return CompactionResult("lost_race", covered)  # another session folded first
        return CompactionResult("compacted", updated.covered_seq, len(fold), facts_dropped=dropped)

    def _reject(self, summary: str) -> str:
        if not summary:
            return "the model returned an empty summary"
        found = sum(heading in summary.lower() for heading in HEADINGS)
        if found < MIN_HEADINGS:
            return f"the summary lacks the required structure ({found} of {len(HEADINGS)} headings)"
        tokens = self.counter.count(summary)
        if tokens > self.config.summary_max_tokens:
            return (
                f"the summary is {tokens} tokens, over the {self.config.summary_max_tokens} limit"
            )
        return ""
