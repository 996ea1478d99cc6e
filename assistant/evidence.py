"""Evidence first: before a grounded reply, the model copies the article sentence that
answers the customer (a short structured call), and the app checks that an article really
holds it.

- Found: that article's own sentences that best match the question (BM25 over its
  sentences; a list item keeps the line introducing it) are pointed out to the model, as
  reference data after the conversation, so a small model answers from the right sentence
  ("opened filters cannot be returned", not "returns within 30 days"). The model's copy only
  chooses the article: never model text in the prompt.
- Not found (the model wrote a sentence no article holds: "The kettle comes in red"): the
  articles do not answer the question, and a question that is not about the ticket itself
  gets "I don't know" with a person offered, without writing a reply that would invent one.
- No usable answer (a server without structured outputs, prose instead of JSON): the reply
  is written as before, from the articles alone; the review still checks it.

The step's tokens are charged with the reply's. A failed call fails the reply (Retry).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from assistant.canned import CannedStream
from assistant.protocol import ChatModel, Completion, JsonSchema, ReplyStream
from knowledge.retrieval import Passage, rank_texts
from knowledge.text import sentences
from memory.prompt import ChatMessage, inert
from tickets.domain import Usage

log = logging.getLogger(__name__)
EVIDENCE_TOKENS = 160
MAX_SENTENCE = 400  # characters of the sentence the model may copy
MATCH = 0.85  # share of the sentence's words that must be in one article
POINTED = 2  # the article's sentences pointed out to the reply

SCHEMA = JsonSchema(
    "article_evidence",
    {
        "type": "object",
        "properties": {
            "sentence": {"type": "string", "maxLength": MAX_SENTENCE},
            "article": {"type": "integer", "minimum": 0, "maximum": 9},
        },
        "required": ["sentence", "article"],
        "additionalProperties": False,
    },
)
SYSTEM = (
    "You find the sentence in help-center articles that answers a customer's question. "
    "You copy sentences exactly; you never write a sentence of your own."
)
REQUEST = """\
Help-center articles:

{articles}

Customer's message:
<<<
{question}
>>>

Find the sentence in the articles above that answers the customer's message. Reply with JSON:
"sentence": that sentence, copied word for word from an article ("" if no sentence answers it);
"article": the number of its article (0 if none)."""
POINTER = """\
<reference>
Article [{number}] "{title}" answers the customer's latest message in these sentences:
{sentences}
</reference>
Reply to the customer ("you") from these sentences: say what they say, keeping their numbers
and every "not", "cannot", "only" and "unless" as written, in at most three short sentences,
and end with (Source: [{number}])."""


@dataclass(frozen=True)
class Evidence:
    """What the evidence step found: the sentence and the passage holding it, or nothing."""

    answered: bool | None  # None: the model gave no usable answer (no verdict)
    sentence: str = ""
    passage: Passage | None = None
    number: int = 0  # the passage's [n] in the prompt


def articles_block(passages: Sequence[Passage]) -> str:
    return "\n\n".join(
        f"[{n}] {p.chunk.title}\n{p.chunk.text.strip()}" for n, p in enumerate(passages, start=1)
    )


def evidence_messages(passages: Sequence[Passage], question: str) -> list[ChatMessage]:
    """The question is the customer's (redacted) text: it goes in the user message only."""
    request = REQUEST.format(articles=articles_block(passages), question=question.strip())
    return [ChatMessage("system", SYSTEM), ChatMessage("user", request)]


def _words(text: str) -> list[str]:
    plain = text.lower().replace("**", "").replace("’", "'")
    return [w.strip(".,") for w in re.findall(r"[a-z0-9$%][a-z0-9$%.,'/-]*", plain)]


def locate(sentence: str, passages: Sequence[Passage]) -> tuple[int, Passage] | None:
    """The passage that holds ``sentence`` (word for word but for markup and punctuation, or
    nearly: a list item quoted as a sentence); ``None`` when none does."""
    words = [w for w in _words(sentence) if w]
    if len(words) < 3:
        return None
    wanted = " ".join(words)
    for number, passage in enumerate(passages, start=1):
        if wanted in " ".join(_words(passage.chunk.text)):
            return number, passage
    known = [set(_words(p.chunk.text + " " + p.chunk.title)) for p in passages]
    shares = [sum(w in words_of for w in words) / len(words) for words_of in known]
    best = max(range(len(passages)), key=lambda i: shares[i], default=None)
    if best is None or shares[best] < MATCH:
        return None
    return best + 1, passages[best]


def parse(text: str, passages: Sequence[Passage]) -> Evidence:
    try:
        answer = json.loads(text)
        sentence = str(answer.get("sentence", "")).strip()
        article = int(answer.get("article", 0))
    except (ValueError, TypeError, AttributeError):
        return Evidence(None)
    if not sentence or article == 0:
        return Evidence(False)
    found = locate(sentence, passages)
    if found is None:
        log.info("the evidence sentence is in no article: treated as unanswered")
        return Evidence(False, sentence)
    number, passage = found
    return Evidence(True, sentence[:MAX_SENTENCE], passage, number)


@dataclass(frozen=True)
class Pointed:
    """The article sentences a reply was pointed to (the review holds the reply to them)."""

    article_id: str
    title: str
    sentences: tuple[str, ...]  # pointed to (and quoted when the reply departs)
    article: tuple[str, ...]  # all the article's sentences (what the reply is checked on)


def answering_sentences(own: Sequence[str], question: str) -> list[str]:
    """The article's own sentences that best match the question (BM25 over its sentences),
    in the article's order. The model's copy only chose the article: a small model often
    copies its first sentence, not the one with the answer ("claims are answered within 2
    business days" for "how fast do you ship the replacement?")."""
    best = sorted(rank_texts(question, own, POINTED, min_coverage=0.0))
    return [own[i] for i in best] or list(own[:POINTED])


def pointed_to(evidence: Evidence, question: str) -> Pointed:
    """The answering sentences of the evidence's article, and all its sentences."""
    assert evidence.passage is not None
    chunk = evidence.passage.chunk
    own = tuple(sentences(chunk.text))
    found = tuple(answering_sentences(own, question))
    return Pointed(evidence.passage.article_id, chunk.title, found, own)


def pointer(held: Pointed, number: int) -> ChatMessage:
    """The answering sentences, as reference data after the conversation (an article's
    text cannot close the block); ``number``: their article's [n] in the prompt."""
    lines = "\n".join(f'- "{inert(s)}"' for s in held.sentences)
    title = inert(held.title)
    return ChatMessage("user", POINTER.format(number=number, title=title, sentences=lines))


def _plus(a: Usage | None, b: Usage | None) -> Usage | None:
    if a is None or b is None:
        return a or b
    return a + b


class ChargedStream:
    """A reply stream whose usage includes the evidence step's."""

    def __init__(self, inner: ReplyStream, usage: Usage | None) -> None:
        self.inner, self.usage = inner, usage
        self.text = ""
        self.result: Completion | None = None

    def __iter__(self) -> Iterator[str]:
        try:
            for delta in self.inner:
                self.text += delta
                yield delta
        finally:
            result = self.inner.result
            if result is not None:
                self.result = replace(result, usage=_plus(result.usage, self.usage))


class EvidenceFirst:
    """A model that looks for the answering sentence before it writes the reply."""

    def __init__(
        self,
        model: ChatModel,
        passages: Sequence[Passage],
        question: str,
        *,
        decline: str | None,
    ) -> None:
        """``decline``: the reply when no article holds the answer; ``None`` when the
        conversation itself may (a follow-up about the ticket): the reply is written then."""
        self.model, self.passages, self.question = model, tuple(passages), question
        self.decline, self.name = decline, model.name
        self.evidence: Evidence | None = None  # once streamed
        self.pointed: Pointed | None = None  # the sentences the reply was pointed to

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> ReplyStream:
        found = self.model.complete(
            evidence_messages(self.passages, self.question),
            max_tokens=EVIDENCE_TOKENS,
            temperature=0.0,
            json_schema=SCHEMA,
        )
        evidence = parse(found.text, self.passages) if found.complete else Evidence(None)
        self.evidence = evidence
        if evidence.answered is False and self.decline is not None:
            return ChargedStream(CannedStream(self.decline), found.usage)
        if evidence.answered:
            self.pointed = pointed_to(evidence, self.question)
            messages = [*messages, pointer(self.pointed, evidence.number)]
        return ChargedStream(self.model.stream(messages, max_tokens=max_tokens), found.usage)

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float | None = None,
        json_schema: JsonSchema | None = None,
    ) -> Completion:
        return self.model.complete(
            messages, max_tokens=max_tokens, temperature=temperature, json_schema=json_schema
        )
