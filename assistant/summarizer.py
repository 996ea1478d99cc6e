"""The memory's summarizer, backed by the chat model: one call per fold, asking for the
notes as JSON with a schema (held to it by servers that support structured output)."""

from __future__ import annotations

from collections.abc import Callable

from assistant.errors import ModelError
from assistant.prompts import summary_messages
from assistant.protocol import ChatModel, JsonSchema
from memory.notes import SCHEMA
from memory.summary import SummaryRequest
from tickets.domain import Usage

NOTES_SCHEMA = JsonSchema("ticket_notes", SCHEMA)


class SummaryCutOff(ModelError):
    def __init__(self) -> None:
        super().__init__("The summary was cut off before it ended; it was not used.")


class ModelSummarizer:
    """One model call per fold, charged once (whatever its outcome) through ``on_usage``.
    A cut-off summary is an error, so memory keeps what it had."""

    def __init__(
        self, model: ChatModel, on_usage: Callable[[Usage], None] = lambda usage: None
    ) -> None:
        self.model, self.on_usage = model, on_usage

    def summarize(self, request: SummaryRequest) -> str:
        result = self.model.complete(
            summary_messages(request),
            max_tokens=request.max_tokens,
            temperature=0.0,
            json_schema=NOTES_SCHEMA,
        )
        if result.usage:
            self.on_usage(result.usage)
        if result.finish_reason == "length":
            raise SummaryCutOff()
        return result.text
