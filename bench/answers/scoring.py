"""How a reply is judged against the labelled set (``tests/data/answer_questions.json``).

Pure functions, so the judging itself is tested with fakes that misbehave like small models
do (``tests/unit/test_answer_scoring.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.grounding import is_decline, offers_person, unsupported_claims

Facts = Sequence[Sequence[str]]  # each fact: accepted spellings, any one counts


def has_fact(text: str, spellings: Sequence[str]) -> bool:
    lowered = text.lower()
    return any(s.lower() in lowered for s in spellings)


def facts_found(text: str, facts: Facts) -> int:
    return sum(has_fact(text, f) for f in facts)


@dataclass(frozen=True)
class Judged:
    correct: bool = False  # answerable: the right source and every fact
    right_source: bool = False
    declined: bool = False  # "I don't know"...
    person_offered: bool = False  # ...with a person offered
    invented: tuple[str, ...] = ()  # amounts, durations, dates found in nothing it was given


def judge_answer(
    text: str, sources: Sequence[str], article: str, facts: Facts, given: str
) -> Judged:
    declined = is_decline(text)
    right = article in sources
    return Judged(
        correct=right and not declined and facts_found(text, facts) == len(facts),
        right_source=right,
        declined=declined,
        person_offered=offers_person(text),
        invented=tuple(unsupported_claims(text, given)),
    )


def judge_unanswerable(text: str, given: str) -> Judged:
    declined = is_decline(text)
    return Judged(
        declined=declined,
        person_offered=offers_person(text),
        invented=tuple(unsupported_claims(text, given)),
    )


@dataclass
class Tally:
    retrieval_hits: int = 0
    answerable: int = 0
    correct: int = 0
    right_source: int = 0
    quoted: int = 0  # answered in the article's words: the reply departed from them
    unanswerable: int = 0
    declined_with_person: int = 0
    invented_replies: int = 0  # as stored (after the review)
    invented_raw: int = 0  # as the model wrote them (before the review)
    handoff_right: int = 0
    handoff_wrong: int = 0
    summaries: int = 0
    summaries_with_facts: int = 0
    summary_header_repeats: int = 0
    drafts: int = 0
    drafts_right: int = 0
    drafts_leaking: int = 0
    questions: int = 0
    questions_right: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def share(self, part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    def report(self) -> list[tuple[str, str, str, bool | None]]:
        """(figure, value, target, met): ``met`` is None where there is no target."""
        recall = self.share(self.retrieval_hits, self.answerable)
        correct = self.share(self.correct, self.answerable)
        declined = self.share(self.declined_with_person, self.unanswerable)
        return [
            ("retrieval recall@3", f"{recall:.2f}", ">= 0.90", recall >= 0.9),
            (
                "answerable: right source and right facts",
                f"{self.correct}/{self.answerable} ({correct:.0%})",
                ">= 80%",
                correct >= 0.8,
            ),
            (
                "answerable: right source (facts aside)",
                f"{self.right_source}/{self.answerable}",
                "",
                None,
            ),
            (
                "answerable: the article quoted (the reply departed from it)",
                f"{self.quoted}/{self.answerable}",
                "",
                None,
            ),
            (
                "unanswerable: declined with a person offered",
                f"{self.declined_with_person}/{self.unanswerable} ({declined:.0%})",
                ">= 90%",
                declined >= 0.9,
            ),
            (
                "replies stating a policy, amount or date found in no source",
                str(self.invented_replies),
                "<= 1",
                self.invented_replies <= 1,
            ),
            ("...as the model wrote them, before the review", str(self.invented_raw), "", None),
            (
                "handoff decisions right / wrong",
                f"{self.handoff_right} / {self.handoff_wrong}",
                "",
                None,
            ),
            (
                "copilot summaries with the ticket's key facts",
                f"{self.summaries_with_facts}/{self.summaries}",
                "",
                None,
            ),
            (
                "copilot summaries repeating header fields",
                str(self.summary_header_repeats),
                "",
                None,
            ),
            (
                "copilot drafts with the decision and no internal wording",
                f"{self.drafts_right}/{self.drafts} ({self.drafts_leaking} leaking)",
                "",
                None,
            ),
            (
                "copilot questions answered with the facts",
                f"{self.questions_right}/{self.questions}",
                "",
                None,
            ),
        ]
