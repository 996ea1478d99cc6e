"""The model port: stream a reply, complete a prompt, report usage."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from memory.prompt import ChatMessage
from tickets.domain import Usage


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str | None  # "stop" is the only complete ending
    usage: Usage | None  # as reported by the provider; None if it reported nothing

    @property
    def complete(self) -> bool:
        return self.finish_reason == "stop"


class ReplyStream(Protocol):
    """Iterate for text deltas. ``result`` is set once the stream ended (however it ended).

    Iteration raises :class:`assistant.errors.ModelError` on failure; ``text`` then holds
    whatever arrived before it.
    """

    text: str
    result: Completion | None

    def __iter__(self) -> Iterator[str]: ...


class ChatModel(Protocol):
    name: str

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> ReplyStream: ...

    def complete(
        self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float | None = None
    ) -> Completion: ...
