"""How the customer assistant answers from the knowledge base.

Per reply: the customer's latest message is searched in the public articles (internal ones
never reach this assistant), the relevant passages go into the prompt as reference data, and
the finished reply is reviewed before it is stored:

- a reply stating an amount, duration, date, time or measure found in nothing the model was
  given, or, when articles were given, sharing too little with any of them to be drawn from
  them ("Yes, we do that."), is withheld and replaced by "I don't know" with a person
  offered;
- "I don't know" always offers a person; the second one in a row hands the ticket over;
- the articles it was answered from are stored with it as its sources.

A question no article matches (and that is not about the ticket itself) gets that "I don't
know" without a model call.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.evidence import Pointed
from assistant.grounding import (
    DECLINE,
    OFFER_PERSON,
    cite,
    clean_citations,
    drawn_on,
    is_decline,
    offers_person,
    unsupported_claims,
)
from assistant.handoff import HANDING_OVER_AFTER_FAILURES
from assistant.pipeline import Review, Reviewer
from assistant.quoting import departure, quoted
from knowledge.articles import Article
from knowledge.retrieval import Passage, Retriever, whole_articles
from knowledge.text import terms
from memory.base import PromptPlan
from memory.retrieval import REFERS_BACK
from tickets.domain import AuthorRole, Message, Source, Ticket

log = logging.getLogger(__name__)
_QUESTION = re.compile(
    r"\?|^\s*(?:how|what|when|where|why|who|which|can|could|do|does|did|is|are|will|would|"
    r"should|may|tell\s+me|i\s+(?:want|need|would\s+like|'d\s+like)\s+to\s+know)\b",
    re.I,
)
SHORT_QUERY = 3


def asserts_something(text: str) -> bool:
    """A sentence that states something (not a question back, not "Thanks!")."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    return any(
        not s.endswith("?") and len(s.split()) > 3 for s in sentences if s
    )  # fewer content words: the previous message and the subject join the query


@dataclass(frozen=True)
class Grounding:
    """What one reply may use, decided before the model is called."""

    passages: tuple[Passage, ...]  # the best public passages when one is relevant, best first
    latest: Message | None  # the customer's message being answered
    previous_declined: bool  # the assistant's last reply was "I don't know"
    shortcut: bool  # no article matches a question about something else: decline, no call
    question: str = ""  # what the passages were found for (the evidence step looks in them)
    may_decline: bool = False  # a question not about the ticket: no article answer, decline


def latest_customer(messages: Sequence[Message]) -> Message | None:
    return next((m for m in reversed(messages) if m.author_role is AuthorRole.CUSTOMER), None)


def was_declined(message: Message) -> bool:
    return not message.sources and is_decline(message.text)


def previous_reply_declined(messages: Sequence[Message], latest: Message | None) -> bool:
    before = [
        m
        for m in messages
        if m.author_role is AuthorRole.ASSISTANT
        and (latest is None or m.seq < latest.seq)
        and m.counts_for_memory
    ]
    return bool(before) and was_declined(before[-1])


def queries_for(ticket: Ticket, messages: Sequence[Message], latest: Message) -> list[str]:
    """The latest message; a short one ("and the refund?") also with its context."""
    queries = [latest.text]
    if len(set(terms(latest.text))) < SHORT_QUERY:
        earlier = [
            m.text for m in messages if m.author_role is AuthorRole.CUSTOMER and m is not latest
        ]
        queries.append(" ".join([ticket.subject, *earlier[-1:], latest.text]))
    return queries


def about_the_ticket(ticket: Ticket, messages: Sequence[Message], latest: Message) -> bool:
    """The question's words are mostly in the ticket already (the model may answer it)."""
    asked = set(terms(latest.text))
    known = set(terms(" ".join([ticket.subject, *(m.text for m in messages if m is not latest)])))
    return bool(asked) and len(asked & known) / len(asked) >= 0.5


def ground(
    retriever: Retriever | None,
    ticket: Ticket,
    messages: Sequence[Message],
    k: int,
    load: Callable[[str], Article | None],
) -> Grounding:
    latest = latest_customer(messages)
    declined = previous_reply_declined(messages, latest)
    if latest is None or retriever is None:
        return Grounding((), latest, declined, False)
    may_decline = (
        bool(_QUESTION.search(latest.text))
        and not REFERS_BACK.search(latest.text)  # memory may hold the answer
        and not about_the_ticket(ticket, messages, latest)
    )
    for query in queries_for(ticket, messages, latest):
        found = retriever.search(query, public_only=True, k=k)
        if any(p.relevant for p in found):  # the best articles, whole
            whole = whole_articles(found, load, articles=2)
            passages = tuple(p for p in whole if p.chunk.is_public)
            return Grounding(passages, latest, declined, False, query, may_decline)
    return Grounding((), latest, declined, shortcut=may_decline)


def declined_text(previous_declined: bool) -> str:
    if previous_declined:
        return f"{DECLINE} {HANDING_OVER_AFTER_FAILURES}"
    return f"{DECLINE} {OFFER_PERSON}"


def reviewer(
    grounding: Grounding,
    hand_over: Callable[[], None],
    pointed: Callable[[], Pointed | None] = lambda: None,
) -> Reviewer:
    """``pointed``: the article sentences the reply was pointed to, once it is written."""

    def review(text: str, plan: PromptPlan) -> Review:
        given = "\n".join(m.content for m in plan.messages)
        cleaned, numbers, titles = clean_citations(text)
        declined = is_decline(cleaned)
        invented = [] if declined else unsupported_claims(cleaned, given)
        asserts = asserts_something(cleaned)  # a question back needs no source
        if (
            not declined
            and asserts
            and grounding.passages
            and not drawn_on(cleaned, grounding.passages)
        ):
            invented.append("an answer that draws on no article")  # "Yes, we do that."
        held = pointed()
        if held is not None and asserts and not declined and not invented:
            why = departure(cleaned, held.article)
            if why is not None:  # the article's own words instead
                log.info("the reply departed from its article's sentences: %s", why)
                return Review(
                    quoted(held.title, held.sentences), (Source(held.article_id, held.title),)
                )
        if invented:
            log.info("withheld a reply stating %d unsupported claim(s)", len(invented))
            declined = True
        if not declined:
            return Review(cleaned, cite(cleaned, grounding.passages, numbers, titles))
        if grounding.previous_declined:
            return Review(declined_text(True), then=hand_over)
        if invented or not cleaned:
            return Review(declined_text(False))
        return Review(cleaned if offers_person(cleaned) else f"{cleaned} {OFFER_PERSON}")

    return review
