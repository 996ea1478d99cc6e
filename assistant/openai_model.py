"""The model adapter on the official ``openai`` client (OpenAI, Azure-compatible gateways,
Ollama, vLLM, llama.cpp: anything speaking the Chat Completions API).

Retries are ours, not the client's (``max_retries=0``): a 429 whose ``Retry-After`` is short
is waited out a bounded number of times; a long one becomes "busy, try later" at once. A
stream that goes silent for ``stall_timeout_s`` ends as a timeout, and a stream that ends
without ``finish_reason == "stop"`` is reported as such (the client itself ends a cut-off
stream silently with the partial text). Structured output goes as ``response_format`` with a
JSON schema (OpenAI, llama.cpp's server, vLLM and Ollama honour it); a server that rejects it
is asked again without it, and not asked with it again.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import openai

from assistant.errors import (
    ContextTooLong,
    ModelAuthError,
    ModelBusy,
    ModelError,
    ModelTimeout,
    ModelUnavailable,
)
from assistant.protocol import Completion, JsonSchema
from memory.prompt import ChatMessage
from tickets.domain import Usage

log = logging.getLogger(__name__)
T = TypeVar("T")


def make_client(
    api_key: str | None, base_url: str | None, *, connect_timeout_s: float, stall_timeout_s: float
) -> openai.OpenAI:
    """One client per process: it holds the connection pool."""
    return openai.OpenAI(
        api_key=api_key or "not-needed-for-a-local-server",
        base_url=base_url,
        max_retries=0,
        timeout=openai.Timeout(
            connect=connect_timeout_s, read=stall_timeout_s, write=30.0, pool=30.0
        ),
    )


def retry_after_seconds(exc: openai.APIStatusError) -> float | None:
    headers = exc.response.headers
    for header, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(header)
        if value:
            try:
                return float(value) / divisor
            except ValueError:
                return None
    return None


def translate(exc: Exception) -> ModelError:
    """Map a client exception to an error the user can act on."""
    if isinstance(exc, ModelError):
        return exc
    if isinstance(exc, openai.RateLimitError):
        return ModelBusy(retry_after_seconds(exc))
    if isinstance(exc, openai.APITimeoutError):
        return ModelTimeout()
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return ModelAuthError()
    if isinstance(exc, openai.BadRequestError):
        text = str(exc).lower()
        if "context" in text and ("length" in text or "exceed" in text or "too long" in text):
            return ContextTooLong()
        return ModelUnavailable(f"the provider rejected the request: {exc.status_code}")
    if isinstance(exc, openai.NotFoundError):
        return ModelUnavailable("model not found: check OPENAI_MODEL and OPENAI_BASE_URL")
    if isinstance(exc, openai.APIStatusError):
        return ModelUnavailable(f"provider error {exc.status_code}")
    if isinstance(exc, openai.APIConnectionError):
        return ModelUnavailable("connection failed")
    return ModelUnavailable(type(exc).__name__)


def response_format(json_schema: JsonSchema) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {
            "name": json_schema.name,
            "schema": dict(json_schema.schema),
            "strict": True,
        },
    }


class OpenAIReplyStream:
    def __init__(self, chunks: Any) -> None:
        self._chunks = chunks
        self.text = ""
        self.result: Completion | None = None

    def __iter__(self) -> Iterator[str]:
        finish: str | None = None
        usage: Usage | None = None
        try:
            for chunk in self._chunks:
                if chunk.usage is not None:
                    usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                for choice in chunk.choices or ():
                    delta = choice.delta.content if choice.delta else None
                    if delta:
                        self.text += delta
                        yield delta
                    if choice.finish_reason:
                        finish = choice.finish_reason
        except Exception as exc:
            self.result = Completion(self.text, None, usage)
            raise translate(exc) from exc
        finally:
            if self.result is None:
                self.result = Completion(self.text, finish, usage)
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()


class OpenAIChatModel:
    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        *,
        retries: int = 2,
        max_retry_after_s: float = 8.0,
        include_usage: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        temperature: float | None = None,  # of streamed replies (None: the server's default)
    ) -> None:
        self.client, self.name, self.temperature = client, model, temperature
        self.retries, self.max_retry_after_s = retries, max_retry_after_s
        self.include_usage, self.sleep = include_usage, sleep
        self.structured_output = True  # until the server rejects ``response_format``

    def _call(self, fn: Callable[[], T]) -> T:
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except openai.RateLimitError as exc:
                wait = retry_after_seconds(exc)
                too_long = wait is not None and wait > self.max_retry_after_s
                if too_long or attempt == self.retries:
                    raise ModelBusy(wait) from exc
                self.sleep(wait if wait is not None else 0.5 * 2**attempt)
            except (openai.APIConnectionError, openai.InternalServerError) as exc:
                if isinstance(exc, openai.APITimeoutError) or attempt == self.retries:
                    raise translate(exc) from exc
                self.sleep(0.5 * 2**attempt * (0.75 + random.random() / 4))  # noqa: S311
            except openai.OpenAIError as exc:
                raise translate(exc) from exc
        raise ModelUnavailable("no attempt left")  # pragma: no cover - the loop always returns

    def _request(self, messages: Sequence[ChatMessage], max_tokens: int) -> dict[str, Any]:
        return {
            "model": self.name,
            "messages": [m.as_openai() for m in messages],
            "max_tokens": max_tokens,
        }

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> OpenAIReplyStream:
        kwargs = self._request(messages, max_tokens) | {"stream": True}
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        if self.include_usage:
            kwargs["stream_options"] = {"include_usage": True}
        chunks = self._call(lambda: self.client.chat.completions.create(**kwargs))
        return OpenAIReplyStream(chunks)

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float | None = None,
        json_schema: JsonSchema | None = None,
    ) -> Completion:
        kwargs = self._request(messages, max_tokens)
        if temperature is not None:
            kwargs["temperature"] = temperature
        if json_schema is not None and self.structured_output:
            try:
                return self._complete(kwargs | {"response_format": response_format(json_schema)})
            except ModelUnavailable as exc:
                if not isinstance(
                    exc.__cause__, openai.BadRequestError | openai.UnprocessableEntityError
                ):
                    raise
                log.info("the server rejected response_format; asking without it from now on")
                self.structured_output = False
        return self._complete(kwargs)

    def _complete(self, kwargs: dict[str, Any]) -> Completion:
        response = self._call(lambda: self.client.chat.completions.create(**kwargs))
        choice = response.choices[0]
        usage = (
            Usage(response.usage.prompt_tokens, response.usage.completion_tokens)
            if response.usage
            else None
        )
        return Completion(choice.message.content or "", choice.finish_reason, usage)
