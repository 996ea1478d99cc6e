"""A fixed answer through the same reply pipeline as the model's (stored, streamed and shown
the same way): the assistant's handover and its "I don't know" when no article matches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant.protocol import Completion, JsonSchema
from memory.prompt import ChatMessage
from tickets.domain import Usage


class CannedStream:
    def __init__(self, text: str) -> None:
        self._text, self.text = text, ""
        self.result: Completion | None = None

    def __iter__(self) -> Iterator[str]:
        for word in self._text.split(" "):
            chunk = word if not self.text else " " + word
            self.text += chunk
            yield chunk
        self.result = Completion(self.text, "stop", Usage(0, 0))


class CannedModel:
    """Answers ``text`` whatever it is asked; costs nothing."""

    def __init__(self, text: str) -> None:
        self.text, self.name = text, "canned"

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> CannedStream:
        return CannedStream(self.text)

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float | None = None,
        json_schema: JsonSchema | None = None,
    ) -> Completion:
        return Completion(self.text, "stop", Usage(0, 0))
