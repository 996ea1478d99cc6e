"""The model port: stream a reply, complete a prompt, report usage."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

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


@dataclass(frozen=True)
class JsonSchema:
    """Structured output: ask the server to answer with JSON that matches ``schema``
    (``response_format`` with a JSON schema). A server that cannot is asked again without
    it, so callers must still parse leniently."""

    name: str
    schema: Mapping[str, Any]


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
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float | None = None,
        json_schema: JsonSchema | None = None,
    ) -> Completion: ...
