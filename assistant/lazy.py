"""A model that starts the local server on first use, so commands that never call the model
(seeding, granting roles) never load it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from assistant.protocol import ChatModel, Completion, JsonSchema, ReplyStream
from memory.prompt import ChatMessage


class LazyModel:
    def __init__(self, name: str, factory: Callable[[], ChatModel]) -> None:
        self.name = name
        self._factory = factory
        self._model: ChatModel | None = None
        self._lock = threading.Lock()

    def _get(self) -> ChatModel:
        with self._lock:
            if self._model is None:
                self._model = self._factory()
            return self._model

    @property
    def started(self) -> bool:
        return self._model is not None

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> ReplyStream:
        return self._get().stream(messages, max_tokens=max_tokens)

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float | None = None,
        json_schema: JsonSchema | None = None,
    ) -> Completion:
        return self._get().complete(
            messages, max_tokens=max_tokens, temperature=temperature, json_schema=json_schema
        )
