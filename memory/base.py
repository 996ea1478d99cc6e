"""The memory interface: turn a conversation into a prompt that fits a token budget, and say
what was left out. Reads are bounded: what the caller already read is reused, and older
messages are read page by page only while the budget still has room."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from memory.prompt import ChatMessage, PromptContext
from memory.tokens import MESSAGE_OVERHEAD, REPLY_PRIMER, TokenCounter, message_tokens
from tickets.domain import Checkpoint, ConversationRef, Message
from tickets.store import CheckpointStore, ThreadStore

SHORTENED_NOTE = "\n[...the start of this long message was left out to fit the context]"
TAIL_PAGE = 30


@dataclass(frozen=True)
class Snapshot:
    """What the caller knows of a conversation this request: read once, shared by all."""

    last_seq: int | None  # None: not known, read from the newest message on
    checkpoint: Checkpoint | None = None
    newest: tuple[Message, ...] = ()  # the newest messages already read, ascending, no gaps

    @property
    def covered_seq(self) -> int:
        return self.checkpoint.covered_seq if self.checkpoint else 0

    @property
    def version(self) -> int:
        return self.checkpoint.version if self.checkpoint else 0


def take_snapshot(
    checkpoints: CheckpointStore,
    conv: ConversationRef,
    last_seq: int | None,
    newest: Sequence[Message] = (),
) -> Snapshot:
    return Snapshot(last_seq, checkpoints.get(conv), tuple(newest))


@dataclass(frozen=True)
class PromptPlan:
    """The prompt for one turn, and what the UI shows about it."""

    strategy: str
    messages: list[ChatMessage]
    tokens: int
    budget: int
    checkpoint: Checkpoint | None = field(default=None, repr=False)
    summarized_through: int = 0  # messages up to this seq are in the summary (0: none)
    first_verbatim_seq: int | None = None  # oldest message sent word for word
    verbatim: int = 0  # messages sent word for word
    omitted: int = 0  # messages known to be neither sent nor summarized
    more_omitted: bool = False  # and there may be older ones beyond those
    shortened: bool = False  # the newest message itself had to be cut
    unsummarized_tokens: int = 0  # what the summary strategy compares to its trigger
    tail_complete: bool = True  # unsummarized_tokens covers the whole unsummarized tail
    messages_read: int = 0  # messages this plan had to read from the store
    newest_seq: int | None = None  # the newest message of the conversation this plan saw
    recalled: tuple[str, ...] = ()  # older messages retrieved into the prompt (retrieval)

    @property
    def truncated(self) -> bool:
        return self.omitted > 0 or self.more_omitted or self.shortened

    @property
    def within_budget(self) -> bool:
        return self.tokens <= self.budget


class MemoryStrategy(Protocol):
    name: str

    def build(self, conv: ConversationRef, context: PromptContext, snap: Snapshot) -> PromptPlan:
        """The prompt for this turn; reads only what ``snap`` does not already hold."""
        ...

    def maintain(self, conv: ConversationRef, plan: PromptPlan | None = None) -> object:
        """Background upkeep after a turn (compaction for the summary strategy)."""
        ...


class Tail:
    """The conversation newest first, down to ``stop_after`` (exclusive): the snapshot's
    messages first, then older pages read only when the consumer asks for more."""

    def __init__(
        self,
        threads: ThreadStore,
        conv: ConversationRef,
        snap: Snapshot,
        *,
        public_only: bool,
        stop_after: int = 0,
        max_messages: int = 400,
    ) -> None:
        self.threads, self.conv, self.snap = threads, conv, snap
        self.public_only, self.stop_after, self.max_messages = public_only, stop_after, max_messages
        self.read = 0  # messages read from the store
        self.exhausted = False  # everything down to ``stop_after`` was seen
        self.newest_seq: int | None = snap.last_seq  # the newest seq seen (or known)

    def __iter__(self) -> Iterator[Message]:
        snap = self.snap
        given = [m for m in snap.newest if not (self.public_only and m.is_internal)]
        before: int | None = snap.newest[0].seq if snap.newest else None
        if before is None and snap.last_seq is not None:
            before = snap.last_seq + 1
        seen = 0
        if given:
            self.newest_seq = max(given[-1].seq, self.newest_seq or 0)
        for message in reversed(given):
            if message.seq <= self.stop_after:
                self.exhausted = True
                return
            seen += 1
            yield message
        while (before is None or before - 1 > self.stop_after) and seen < self.max_messages:
            limit = min(TAIL_PAGE, self.max_messages - seen)
            if before is not None:
                limit = min(limit, before - 1 - self.stop_after)
            page = self.threads.newest(
                self.conv, limit=limit, before_seq=before, public_only=self.public_only
            )
            self.read += len(page)
            if page and self.newest_seq is None:
                self.newest_seq = page[-1].seq
            for message in reversed(page):
                if message.seq <= self.stop_after:
                    self.exhausted = True
                    return
                seen += 1
                yield message
            if len(page) < limit or not page:
                self.exhausted = True
                return
            before = page[0].seq
        self.exhausted = before is not None and before - 1 <= self.stop_after


@dataclass(frozen=True)
class Fit:
    messages: list[ChatMessage]
    tokens: int
    first_seq: int | None
    skipped: int  # messages seen after the budget was full (known to be left out)
    stopped_early: bool  # the budget filled before the tail ran out
    shortened: bool
    seen_tokens: int  # tokens of every message seen (the unsummarized total, if complete)


def fit_newest(
    history: Iterable[Message],
    budget: int,
    counter: TokenCounter,
    context: PromptContext,
    *,
    count_all: bool = False,
) -> Fit:
    """Keep the newest messages that fit ``budget`` tokens, oldest first in the result.

    ``history`` is consumed newest first and no further than needed, unless ``count_all``
    (then every message is seen and counted, e.g. to compare with a compaction trigger).
    If even the newest message does not fit, its end is kept (the question is usually
    there) and the fit says it was shortened: never a silent truncation.
    """
    chosen: list[ChatMessage] = []
    used = seen_tokens = skipped = 0
    first_seq: int | None = None
    full = shortened = False
    for message in history:
        if not message.counts_for_memory:
            continue
        rendered = context.message(message)
        cost = message_tokens(counter, rendered)
        seen_tokens += cost
        if full:
            skipped += 1
            if not count_all:
                break
            continue
        if used + cost > budget:
            full = True
            if not chosen:
                short = shorten_to(rendered, budget, counter)
                if short is not None:
                    chosen.append(short)
                    used = message_tokens(counter, short)
                    first_seq, shortened = message.seq, True
                    continue
            skipped += 1
            if not count_all:
                break
            continue
        chosen.append(rendered)
        used += cost
        first_seq = message.seq
    return Fit(chosen[::-1], used, first_seq, skipped, full, shortened, seen_tokens)


def shorten_to(message: ChatMessage, budget: int, counter: TokenCounter) -> ChatMessage | None:
    """Keep the end of ``message`` within ``budget`` tokens, cut on a character boundary."""
    room = budget - MESSAGE_OVERHEAD - counter.count(SHORTENED_NOTE)
    if room <= 0:
        return None
    text = message.content
    low, high = 0, len(text)
    while low < high:  # the longest suffix that fits
        mid = (low + high) // 2
        if counter.count(text[mid:]) <= room:
            high = mid
        else:
            low = mid + 1
    return ChatMessage(message.role, SHORTENED_NOTE.strip() + "\n" + text[low:])


def room_for_history(budget: int, preamble: Sequence[ChatMessage], counter: TokenCounter) -> int:
    return budget - sum(message_tokens(counter, m) for m in preamble) - REPLY_PRIMER
