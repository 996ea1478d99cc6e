"""Fakes at the ports: a summarizer that replays behaviours, a model that replays replies."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from assistant.protocol import Completion, JsonSchema
from memory.prompt import ChatMessage
from memory.summary import SummaryRequest
from tickets.domain import Usage


@dataclass
class FakeSummarizer:
    """Deterministic: the summary names the folded range but carries no identifiers, so any
    fact that survives did so because it was pinned, not because the 'model' kept it."""

    mode: str = "ok"  # ok | json | prose | raise | empty | long | rambling | loop
    calls: list[SummaryRequest] = field(default_factory=list)
    during: Callable[[], None] | None = None  # runs inside the call (to race it)
    barrier: threading.Barrier | None = None

    def summarize(self, request: SummaryRequest) -> str:
        self.calls.append(request)
        if self.barrier is not None:
            self.barrier.wait(timeout=30)
        if self.during is not None:
            self.during()
        if self.mode == "raise":
            raise TimeoutError("model timed out")
        if self.mode == "empty":
            return "   "
        if self.mode == "long":
            return "blah " * 5000
        if self.mode == "rambling":  # what a too-small model writes instead of a summary
            return "You're ready to begin. Please continue writing."
        if self.mode == "loop":  # a small model held to a schema, repeating one value
            return '{"problem": "' + "The kettle leaks. " * 20 + '"}'
        first, last = request.transcript[0].split()[0], request.transcript[-1].split()[0]
        previous = "carried over; " if request.previous_summary else ""
        if self.mode == "json":
            return (
                f'{{"problem": "The kettle leaks ({previous}covers {first}-{last}).", '
                '"key_facts": [], "tried": ["descaling"], "promises": [], '
                '"open_questions": ["refund or replacement"], "next_step": "Agent decides."}'
            )
        if self.mode == "prose":  # the same content, no headings (what small models write)
            return (
                f"The customer's kettle still leaks when filled ({previous}covers {first}-"
                f"{last}). They tried descaling and want a refund or a replacement."
            )
        return (
            f"Problem: the customer's kettle leaks. ({previous}covers {first}-{last})\n"
            "Key facts: see pinned facts.\nTried: descaling.\nPromises: none.\n"
            "Open questions: refund or replacement.\nNext step: agent decides."
        )


@dataclass
class FakeReply:
    """One queued reply: its chunks, how it ends, and optionally an error after the chunks."""

    chunks: list[str]
    finish_reason: str | None = "stop"
    usage: Usage | None = field(default_factory=lambda: Usage(50, 10))
    error: Exception | None = None  # raised after the chunks (or at once if there are none)


class FakeReplyStream:
    def __init__(self, reply: FakeReply) -> None:
        self.reply = reply
        self.text = ""
        self.result: Completion | None = None

    def __iter__(self) -> Iterator[str]:
        for chunk in self.reply.chunks:
            self.text += chunk
            yield chunk
        if self.reply.error is not None:
            self.result = Completion(self.text, None, None)
            raise self.reply.error
        self.result = Completion(self.text, self.reply.finish_reason, self.reply.usage)


def _scripted(queue: list[str | Exception], default: str, usage: Usage) -> Completion:
    """The next queued structured answer (an exception is raised), else ``default``."""
    answer = queue.pop(0) if queue else default
    if isinstance(answer, Exception):
        raise answer
    return Completion(answer, "stop", usage)


@dataclass
class FakeModel:
    """Replays queued replies; records every prompt it was sent. Empty queue: a default."""

    replies: list[FakeReply] = field(default_factory=list)
    prompts: list[list[ChatMessage]] = field(default_factory=list)
    schemas: list[JsonSchema | None] = field(default_factory=list)  # one per complete()
    # triage answers (structured output named "ticket_triage"), apart from the replies so a
    # test's queued replies are never taken by a ticket's triage; none queued: prose
    triage: list[str | Exception] = field(default_factory=list)
    # the evidence step's answers (structured output "article_evidence"), apart from the
    # replies too; none queued: prose, so the reply is written from the articles alone
    evidence: list[str | Exception] = field(default_factory=list)
    evidence_prompts: list[list[ChatMessage]] = field(default_factory=list)
    name: str = "fake-model"
    default_text: str = "Thanks! Could you share your order number?"
    default_summary: str = (
        "Problem: kettle leaks.\nKey facts: none new.\nTried: descaling.\n"
        "Promises made: none.\nOpen questions: refund?\nNext step: wait for the customer."
    )

    def queue(self, *replies: FakeReply) -> FakeModel:
        self.replies.extend(replies)
        return self

    def _next(self, messages: Sequence[ChatMessage]) -> FakeReply:
        self.prompts.append(list(messages))
        if self.replies:
            return self.replies.pop(0)
        return FakeReply([self.default_text[:10], self.default_text[10:]])

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> FakeReplyStream:
        reply = self._next(messages)
        if reply.error is not None and not reply.chunks:
            raise reply.error
        return FakeReplyStream(reply)

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float | None = None,
        json_schema: JsonSchema | None = None,
    ) -> Completion:
        self.schemas.append(json_schema)
        if json_schema is not None and json_schema.name == "article_evidence":
            self.evidence_prompts.append(list(messages))
            return _scripted(self.evidence, "The articles may say.", Usage(30, 15))
        if json_schema is not None and json_schema.name == "ticket_triage":
            self.prompts.append(list(messages))
            return _scripted(self.triage, "It looks like a support request.", Usage(40, 20))
        if not self.replies:
            self.prompts.append(list(messages))
            return Completion(self.default_summary, "stop", Usage(30, 20))
        reply = self._next(messages)
        if reply.error is not None:
            raise reply.error
        return Completion("".join(reply.chunks), reply.finish_reason, reply.usage)
