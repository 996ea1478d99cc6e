"""Words for ranking: lower case, stop words dropped, English Snowball stems, and product
codes kept whole (``TH-300`` is one term)."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[a-z0-9]+(?:[-.'][a-z0-9]+)*")
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "get",
        "gets",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "please",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "hi",
        "hello",
        "thanks",
        "thank",
        "hey",
        "ok",
        "okay",
        "there's",
        "it's",
        "i'm",
        "i've",
        "i'd",
        "can't",
        "don't",
        "doesn't",
        "didn't",
        "won't",
        "isn't",
        "let",
        "know",
        "tell",
        "want",
        "need",
        "like",
        "one",
        "many",
        "much",
        "long",
        "often",
        "soon",
        "ever",
        "really",
        "still",
        "even",
        "yet",
        "exactly",
        "something",
        "anything",
        "everything",
        "thing",
        "things",
        "way",
        "lot",
        "bit",
        "yes",
        "sure",
        "course",
    ]
)
STOP_WORDS = frozenset(w.replace("'", "") for w in STOP_WORDS) | STOP_WORDS
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def terms(text: str) -> list[str]:
    """Stemmed content words; a code like ``th-300`` is the one term ``th300``."""
    found: list[str] = []
    for word in _WORD.findall(text.lower()):
        word = word.replace("'", "")
        if word in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
            continue
        if "-" in word or "." in word:
            found.append(re.sub(r"[-.]", "", word))  # one term: TH-300, th300 and TH.300 match
            continue
        found.append(_stem(word))
    return found


_LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+")


def sentences(markdown: str) -> list[str]:
    """An article's sentences, plain (no bold markers, no headings). A list item is one
    sentence with the line that introduces its list ("Some items cannot be returned...:
    - gift cards"), so an item never loses the "cannot" that governs it; a sentence under a
    section heading starts with it ("What is not covered: limescale damage..."), for the
    same reason."""
    found: list[str] = []
    lead = section = ""
    for block in re.split(r"\n\s*\n", markdown.replace("**", "")):
        lines = [ln.strip() for ln in block.strip().splitlines() if ln.strip()]
        for heading in (ln for ln in lines if ln.startswith("#")):
            section = heading.lstrip("#").strip() if heading.startswith("##") else ""
        lines = [ln for ln in lines if not ln.startswith("#")]
        if not lines:
            continue
        under = f"{section}: " if section else ""
        if all(_LIST_ITEM.match(ln) for ln in lines):
            found += [f"{under}{lead} {_LIST_ITEM.sub('', ln)}".strip() for ln in lines]
            continue
        split = re.split(r"(?<=[.!?])\s+", " ".join(lines))
        found += [f"{under}{s}" for s in split if s]
        lead = " ".join(split) if split[-1].endswith(":") and len(split) <= 2 else ""
    return [s for s in found if s]
