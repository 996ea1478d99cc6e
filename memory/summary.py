"""The summary strategy (the default): a persisted running summary plus the newest messages.

- The checkpoint ("covers messages through seq N", a version, pinned facts) is stored with
  the conversation. Everything after it is sent verbatim, newest first within the budget.
- :meth:`SummaryMemory.maintain` runs after a turn. When the unsummarized part passes the
  trigger, the oldest part is folded into the summary in one model call that sees the
  previous summary and every folded message; about ``trigger - keep_recent`` tokens pass
  between folds, so compaction is amortized.
- Progress never depends on the model. The model is asked for structured notes (JSON with a
  schema) and what it writes is parsed leniently; only an empty, over-long, looping or
  unrelated summary is refused. Pinned facts are extracted deterministically from every
  folded message and stored even when the model fails. After a failure the model is not
  asked again for a while (a backoff in messages that doubles with each failure); after
  ``failures_before_extractive`` failures in a row, or when the tail grows past the ceiling,
  the fold happens anyway with an extractive summary (first sentences), marked as such,
  which the next successful model fold replaces. A conversation far behind (a restored
  backup) catches up in bounded chunks folded extractively; the model summarizes only the
  part next to the verbatim tail.
- The checkpoint moves only through a compare-and-set on its version, so of two sessions
  compacting at once one wins and nothing is lost. Messages are never deleted, and nothing
  is folded unseen: every folded message went to the model or into the extractive summary.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, Protocol

from memory.base import PromptPlan, Snapshot, Tail, fit_newest, room_for_history
from memory.extractive import extractive_summary
from memory.facts import merge_facts
from memory.notes import Notes, grounded_share, parse_notes, repeats
from memory.prompt import PromptContext, memory_block, preamble
from memory.tokens import TokenCounter, prompt_tokens
from tickets.domain import AuthorRole, Checkpoint, ConversationRef, Message, MessageStatus, utcnow
from tickets.store import CheckpointChange, CheckpointStore, ThreadStore

log = logging.getLogger(__name__)
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
    fold_max_messages: int = 200  # messages read per fold or catch-up chunk
    max_tail_messages: int = 400
    stall_after_s: float = 60.0  # a pending reply silent this long is failed: fold past it
    failures_before_extractive: int = 2  # model failures in a row, then fold without it
    backoff_messages: int = 2  # after failure n, no model call for 2 * 2**(n-1) messages
    backoff_max_messages: int = 128
    catch_up_chunks: int = 10  # extractive chunks per maintain run when far behind
    catch_up_factor: int = 4  # "far behind": an unsummarized tail past 4x the trigger
    min_grounded_share: float = 0.15  # prose sharing less: not about this conversation

    @property
    def fold_input_max_tokens(self) -> int:
        """The folded transcript plus the previous summary must fit one model call."""
        return max(self.budget_tokens - self.summary_max_tokens - 400, 200)

    @property
    def catch_up_after_tokens(self) -> int:
        return self.catch_up_factor * self.compact_trigger_tokens

    @property
    def ceiling_tokens(self) -> int:
        """Past this the tail is folded whatever the backoff says (extractively if the
        model may not be asked), so it never outgrows the prompt unseen."""
        return (
            self.compact_trigger_tokens
            + (self.compact_trigger_tokens - self.keep_recent_tokens) // 2
        )

    def backoff(self, failures: int) -> int:
        grown: int = self.backoff_messages * 2 ** max(failures - 1, 0)
        return min(grown, self.backoff_max_messages)


Status = Literal["not_needed", "compacted", "extractive", "failed", "backing_off", "lost_race"]


@dataclass(frozen=True)
class CompactionResult:
    status: Status
    covered_seq: int
    folded: int = 0
    error: str = ""
    facts_dropped: int = 0
    model_calls: int = 0
    chunks: int = 0  # extractive catch-up chunks before this result
    folded_seqs: tuple[int, ...] = ()  # every message this run folded (model or extractive)


def replace_if_version(expected: int, new: Checkpoint) -> CheckpointChange:
    """The compare-and-set rule: the checkpoint moves only if nobody moved it meanwhile."""

    def change(current: Checkpoint | None) -> Checkpoint | None:
        return new if (current.version if current else 0) == expected else None

    return change


def may_ask_model(checkpoint: Checkpoint | None, newest_seq: int) -> bool:
    """Not while backing off after a failure."""
    return checkpoint is None or checkpoint.failures == 0 or newest_seq >= checkpoint.retry_at_seq


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
            newest_seq=tail.newest_seq,
        )

    # -- compaction -----------------------------------------------------------------------

    def maintain(self, conv: ConversationRef, plan: PromptPlan | None = None) -> CompactionResult:
        cfg = self.config
        if plan is not None and plan.tail_complete:  # decide from the plan: no read at all
            if plan.unsummarized_tokens <= cfg.compact_trigger_tokens:
                return CompactionResult("not_needed", plan.summarized_through)
            cp = plan.checkpoint
            if (
                cp is not None
                and 0 < cp.failures < cfg.failures_before_extractive
                and not may_ask_model(cp, plan.newest_seq or 0)
                and plan.unsummarized_tokens <= cfg.ceiling_tokens
            ):
                return CompactionResult("backing_off", plan.summarized_through)
        checkpoint = self.checkpoints.get(conv)
        caught: list[int] = []  # seqs folded by catch-up chunks in this run
        chunks = 0
        for chunk_no in range(cfg.catch_up_chunks + 1):
            covered = checkpoint.covered_seq if checkpoint else 0
            pending = self._pending(conv, covered)
            more = len(pending) > cfg.fold_max_messages  # the tail goes on beyond this chunk
            pending = pending[: cfg.fold_max_messages]
            if more:  # fold whole chunks only while a chunk's worth stays for the last steps
                last = self.threads.last_seq(conv) - cfg.fold_max_messages
                more = pending[0].seq <= last
                if more:
                    pending = [m for m in pending if m.seq <= last]
            costs = [self._cost(m) for m in pending]
            total = sum(costs)
            if total <= cfg.compact_trigger_tokens and not more:
                result = CompactionResult("not_needed", covered)
                break
            # far behind (a restored backup, an import, a long outage): fold the oldest part
            # extractively, so that one model fold and the verbatim tail take the rest
            excess = total - cfg.keep_recent_tokens - cfg.fold_input_max_tokens
            behind = more or total > cfg.catch_up_after_tokens
            chunk = _oldest(pending, costs, None if more else excess) if behind else []
            if not chunk:
                fold = self._fold_part(pending, costs, total)
                result = (
                    self._fold(conv, checkpoint, fold, pending[-1].seq, total)
                    if fold
                    else CompactionResult("not_needed", covered)
                )
                break
            if chunk_no == cfg.catch_up_chunks:  # enough for one run: the next one goes on
                result = CompactionResult("extractive", covered)
                break
            saved = self._save(conv, checkpoint, self._extractive(checkpoint, chunk, None))
            if saved is None:
                result = CompactionResult("lost_race", covered)
                break
            checkpoint, chunks = saved, chunks + 1
            caught += [m.seq for m in chunk]
        if not caught:
            return result
        return replace(
            result,
            status="extractive"
            if result.status in ("not_needed", "backing_off")
            else result.status,
            covered_seq=max(result.covered_seq, caught[-1]),
            folded=result.folded + len(caught),
            chunks=chunks,
            folded_seqs=(*caught, *result.folded_seqs),
        )

    def _pending(self, conv: ConversationRef, covered: int) -> list[Message]:
        now, cfg = self.clock(), self.config
        return [
            m.settled(now, cfg.stall_after_s)  # a reply whose writer died counts as failed
            for m in self.threads.after(
                conv,
                after_seq=covered,
                limit=cfg.fold_max_messages + 1,  # one more: is there more beyond?
                public_only=self.public_only,
            )
        ]

    def _fold_part(self, pending: list[Message], costs: list[int], total: int) -> list[Message]:
        """The oldest part, leaving about ``keep_recent_tokens`` verbatim."""
        cfg = self.config
        fold: list[Message] = []
        fold_tokens = 0
        for message, cost in zip(pending, costs, strict=True):
            if total <= cfg.keep_recent_tokens or message.status is MessageStatus.PENDING:
                break  # keep the newest verbatim; never cover a reply still being written
            if fold and fold_tokens + cost > cfg.fold_input_max_tokens:
                break  # the rest is folded next time
            fold.append(message)
            fold_tokens += cost
            total -= cost
        return fold

    def _cost(self, message: Message) -> int:
        if not message.counts_for_memory:
            return 0
        return self.counter.count(self.line_text(message)) + 4

    def _line(self, message: Message) -> str:
        return f"#{message.seq} {SPEAKER[message.author_role]}: {self.line_text(message)}"

    def _fold(
        self,
        conv: ConversationRef,
        checkpoint: Checkpoint | None,
        fold: list[Message],
        newest_seq: int,
        unsummarized: int,
    ) -> CompactionResult:
        cfg = self.config
        covered = checkpoint.covered_seq if checkpoint else 0
        failures = checkpoint.failures if checkpoint else 0
        seqs = tuple(m.seq for m in fold)
        if not may_ask_model(checkpoint, newest_seq):
            if failures < cfg.failures_before_extractive and unsummarized <= cfg.ceiling_tokens:
                return CompactionResult("backing_off", covered)
            saved = self._save(conv, checkpoint, self._extractive(checkpoint, fold, None))
            if saved is None:
                return CompactionResult("lost_race", covered)
            return CompactionResult("extractive", saved.covered_seq, len(fold), folded_seqs=seqs)
        request = SummaryRequest(
            previous_summary=checkpoint.summary if checkpoint else "",
            transcript=[self._line(m) for m in fold if m.counts_for_memory],
            max_tokens=cfg.summary_max_tokens,
        )
        try:
            notes = parse_notes(self.summarizer.summarize(request) or "")
            problem = self._reject(notes, request)
        except Exception as exc:  # any failure of the model: counted, backed off
            problem = f"{type(exc).__name__}: {exc}"
        if not problem:
            facts, dropped = self._facts(checkpoint, fold)
            version = _version(checkpoint) + 1
            updated = Checkpoint(notes.render(), facts, fold[-1].seq, version, self.clock())
            if self._save(conv, checkpoint, updated) is None:
                return CompactionResult("lost_race", covered, model_calls=1)
            return CompactionResult(
                "compacted",
                updated.covered_seq,
                len(fold),
                facts_dropped=dropped,
                model_calls=1,
                folded_seqs=seqs,
            )
        log.warning("summary failed for %s: %s", conv.key, problem.split(":")[0])
        failures += 1
        retry_at = newest_seq + cfg.backoff(failures)
        give_up = failures >= cfg.failures_before_extractive or unsummarized > cfg.ceiling_tokens
        if give_up:  # fold anyway: the checkpoint always advances
            updated = self._extractive(checkpoint, fold, (failures, retry_at))
        else:  # keep the summary, pin the facts, count the failure, back off
            facts, _ = self._facts(checkpoint, fold)
            updated = Checkpoint(
                checkpoint.summary if checkpoint else "",
                facts,
                covered,
                _version(checkpoint) + 1,
                self.clock(),
                extractive=checkpoint.extractive if checkpoint else False,
                failures=failures,
                retry_at_seq=retry_at,
            )
        saved = self._save(conv, checkpoint, updated)
        if saved is None:
            return CompactionResult("lost_race", covered, error=problem, model_calls=1)
        if not give_up:
            return CompactionResult("failed", covered, error=problem, model_calls=1)
        return CompactionResult(
            "extractive",
            saved.covered_seq,
            len(fold),
            error=problem,
            model_calls=1,
            folded_seqs=seqs,
        )

    def _facts(
        self, checkpoint: Checkpoint | None, fold: Sequence[Message]
    ) -> tuple[tuple[str, ...], int]:
        return merge_facts(
            checkpoint.facts if checkpoint else (),
            (m.text for m in fold if m.counts_for_memory),  # sealed at rest, redacted per prompt
            self.config.pinned_facts_max,
        )

    def _extractive(
        self,
        checkpoint: Checkpoint | None,
        fold: Sequence[Message],
        failed: tuple[int, int] | None,
    ) -> Checkpoint:
        """Fold without the model. ``failed``: (failures, retry_at_seq) after a failed call;
        ``None`` keeps the checkpoint's own failure state (catch-up, or backing off)."""
        cfg = self.config
        summary = extractive_summary(
            checkpoint.summary if checkpoint else "",
            [
                (f"#{m.seq} {SPEAKER[m.author_role]}", self.line_text(m))
                for m in fold
                if m.counts_for_memory
            ],
            self.counter,
            cfg.summary_max_tokens,
        )
        facts, _ = self._facts(checkpoint, fold)
        failures, retry_at = failed or (
            (checkpoint.failures, checkpoint.retry_at_seq) if checkpoint else (0, 0)
        )
        return Checkpoint(
            summary,
            facts,
            fold[-1].seq,
            _version(checkpoint) + 1,
            self.clock(),
            extractive=True,
            failures=failures,
            retry_at_seq=retry_at,
        )

    def _save(
        self, conv: ConversationRef, checkpoint: Checkpoint | None, updated: Checkpoint
    ) -> Checkpoint | None:
        """Compare-and-set: ``None`` when another session moved the checkpoint first."""
        return self.checkpoints.revise(conv, replace_if_version(_version(checkpoint), updated))

    def _reject(self, notes: Notes, request: SummaryRequest) -> str:
        """Why this is not a usable summary ('' when it is)."""
        if notes.empty:
            return "the model returned an empty summary"
        tokens = self.counter.count(notes.render())
        if tokens > self.config.summary_max_tokens:
            return (
                f"the summary is {tokens} tokens, over the {self.config.summary_max_tokens} limit"
            )
        if repeats(notes):
            return "the summary repeats itself"
        source = request.previous_summary + "\n" + "\n".join(request.transcript)
        share = grounded_share(notes, source)
        if not notes.structured and share < self.config.min_grounded_share:
            return "the summary is not about this conversation"
        return ""


def _version(checkpoint: Checkpoint | None) -> int:
    return checkpoint.version if checkpoint else 0


def _oldest(pending: list[Message], costs: list[int], tokens: int | None) -> list[Message]:
    """The oldest messages covering ``tokens`` (all of them when ``None``), stopping before
    a reply still being written."""
    chunk: list[Message] = []
    covered = 0
    for message, cost in zip(pending, costs, strict=True):
        if message.status is MessageStatus.PENDING or (tokens is not None and covered >= tokens):
            break
        chunk.append(message)
        covered += cost
    return chunk
