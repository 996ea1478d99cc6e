"""Search keys for message text: what an index holds instead of the words.

Each word of a message gives its whole form (up to 16 characters) and its prefixes of 3 to
10 characters, so "refu" finds "refunded". The store keeps them as keyed tokens when
encryption is on (:meth:`storage.sealing.Sealer.search_key`): equal keys match, the words
can't be read back. A query looks up its first word and checks the others in the text it
finds (after decryption).
"""

from __future__ import annotations

from tickets.domain import SEARCH_KEY_MAX, normalize_search

PREFIX_MIN, PREFIX_MAX = 3, 10
MAX_WORDS = 400  # distinct words indexed per message (a long message: its first 400)


def message_keys(text: str) -> set[str]:
    keys: set[str] = set()
    for word in list(dict.fromkeys(normalize_search(text)))[:MAX_WORDS]:
        keys.add(word)
        keys.update(word[:n] for n in range(PREFIX_MIN, min(len(word), PREFIX_MAX) + 1))
    return keys


def query_key(word: str) -> str | None:
    """The key to look up for one typed word: its prefix as indexed, or the whole word."""
    if len(word) < 2:
        return None
    return word if len(word) > PREFIX_MAX or len(word) < PREFIX_MIN else word[:PREFIX_MAX]


def matches(text: str, words: list[str]) -> bool:
    """Every word of the query starts a word of ``text``."""
    found = normalize_search(text)
    return all(any(w.startswith(q[:SEARCH_KEY_MAX]) for w in found) for q in words)
