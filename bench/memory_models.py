"""Deterministic stand-ins for the model behind the real ``ModelSummarizer`` and summary
prompt, misbehaving the way real models do.

- ``StructuredModel``: answers with the JSON notes the schema asks for, from what it reads in
  the prompt; keeps only the newest eight key facts (the schema's limit, so older ones are
  forgotten) and cuts off every 25th answer at ``max_tokens`` (invalid JSON).
- ``ProseModel``: the same content as plain sentences, no headings, no JSON (what a small
  or differently prompted model writes).
- ``FailingModel``: every call fails (a provider error), nothing is charged.
- ``SlowModel``: the structured model, answering only after the conversation has moved on
  ``delay_turns`` turns (a local model taking its time while people keep writing).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence

from assistant.errors import ModelUnavailable
from assistant.protocol import Completion, JsonSchema, ReplyStream
from memory.notes import Notes, parse_notes
from memory.prompt import ChatMessage
from memory.tokens import MESSAGE_OVERHEAD, TokenCounter
from tickets.domain import Usage

_LINE = re.compile(r"^#(\d+) (\w+): (.*)$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_IDENTIFIER = re.compile(r"[^\s,;()]*\d[^\s,;()]*")


class ScriptedModel:
    """The part every fake shares: reads the summary prompt, counts what it was sent."""

    name = "bench-model"

    def __init__(self, counter: TokenCounter) -> None:
        self.counter = counter
        self.calls = 0
        self.input_tokens = 0
        self.seen_seqs: set[int] = set()  # every message a summary request carried

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> ReplyStream:
        raise NotImplementedError("the benchmark only summarizes")

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float | None = None,
        json_schema: JsonSchema | None = None,
    ) -> Completion:
        raise NotImplementedError

    def _read(self, messages: Sequence[ChatMessage]) -> tuple[Notes, list[tuple[str, str]]]:
        self.calls += 1
        self.input_tokens += sum(self.counter.count(m.content) + MESSAGE_OVERHEAD for m in messages)
        prompt = messages[-1].content
        previous = prompt.split("Previous notes:\n", 1)[1].split("\n\nNew messages:\n", 1)[0]
        body = prompt.split("\n\nNew messages:\n", 1)[1].split("\n\nWrite the updated notes", 1)[0]
        lines: list[tuple[str, str]] = []
        for line in body.splitlines():
            match = _LINE.match(line)
            if match:
                self.seen_seqs.add(int(match.group(1)))
                lines.append((match.group(2), match.group(3)))
        notes = Notes() if previous.strip() == "(none yet)" else parse_notes(previous)
        return notes, lines

    def _notes(self, previous: Notes, lines: list[tuple[str, str]], max_words: int) -> Notes:
        sentences = [(who, s) for who, text in lines for s in _SENTENCE.split(text) if s]
        said = [s for who, s in sentences if who == "Customer"]
        ours = [s for who, s in sentences if who != "Customer"]
        facts = list(previous.key_facts)
        for _, sentence in sentences:
            facts += [f.rstrip(".") for f in _IDENTIFIER.findall(sentence) if len(f) > 3]
        notes = Notes(
            problem=previous.problem or tuple(said[:1]),
            key_facts=tuple(dict.fromkeys(facts))[-8:],  # the schema's maxItems: oldest go
            tried=tuple(s for s in said if "tried" in s or "unplug" in s)[-2:],
            promises=tuple(s for s in ours if " will " in s)[-2:],
            open_questions=tuple(s for s in said if s.endswith("?"))[-2:],
            next_step=tuple(ours[-1:]),
        )
        while len(notes.render().split()) > max_words and notes.tried + notes.promises:
            notes = Notes(
                notes.problem,
                notes.key_facts,
                notes.tried[1:],
                notes.promises[1:],
                notes.open_questions[1:],
                notes.next_step,
            )
        return notes

    def _usage(self, messages: Sequence[ChatMessage], text: str) -> Usage:
        prompt = sum(self.counter.count(m.content) + MESSAGE_OVERHEAD for m in messages)
        return Usage(prompt, self.counter.count(text))


def _max_words(messages: Sequence[ChatMessage]) -> int:
    found = re.search(r"At most (\d+) words", messages[-1].content)
    return int(found.group(1)) if found else 200


class StructuredModel(ScriptedModel):
    cut_every = 25

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float | None = None,
        json_schema: JsonSchema | None = None,
    ) -> Completion:
        previous, lines = self._read(messages)
        notes = self._notes(previous, lines, _max_words(messages))
        text = json.dumps(
            {
                "problem": " ".join(notes.problem),
                "key_facts": list(notes.key_facts),
                "tried": list(notes.tried),
                "promises": list(notes.promises),
                "open_questions": list(notes.open_questions),
                "next_step": " ".join(notes.next_step),
            }
        )
        if self.calls % self.cut_every == 0:  # ran into max_tokens mid-object
            return Completion(text[: len(text) // 2], "length", self._usage(messages, text))
        return Completion(text, "stop", self._usage(messages, text))


class ProseModel(ScriptedModel):
    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float | None = None,
        json_schema: JsonSchema | None = None,
    ) -> Completion:
        previous, lines = self._read(messages)
        earlier = _SENTENCE.split(" ".join(previous.summary), maxsplit=1)[0]
        notes = self._notes(Notes(), lines, _max_words(messages))
        opening = earlier or f"The customer wrote: {' '.join(notes.problem)}"
        parts = [opening]
        if notes.key_facts:
            parts.append(f"They mentioned {', '.join(notes.key_facts)}.")
        parts += [f"They said: {s}" for s in notes.tried]
        parts += [f"We said: {s}" for s in notes.promises]
        parts += [f"They asked: {s}" for s in notes.open_questions]
        parts += [f"Our last word was: {s}" for s in notes.next_step]
        text = " ".join(parts)
        return Completion(text, "stop", self._usage(messages, text))


class FailingModel(ScriptedModel):
    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float | None = None,
        json_schema: JsonSchema | None = None,
    ) -> Completion:
        self._read(messages)
        raise ModelUnavailable("provider error 503")


class TurnClock:
    """The benchmark's turn counter, which a slow model waits on."""

    def __init__(self) -> None:
        self.turn = 0
        self.waiting = False
        self._cond = threading.Condition()

    def advance(self, turn: int) -> None:
        with self._cond:
            self.turn = turn
            self._cond.notify_all()

    def wait_until(self, turn: int) -> None:
        with self._cond:
            self.waiting = True
            self._cond.notify_all()
            self._cond.wait_for(lambda: self.turn >= turn, timeout=60)
            self.waiting = False


class SlowModel(StructuredModel):
    def __init__(self, counter: TokenCounter, clock: TurnClock, delay_turns: int = 6) -> None:
        super().__init__(counter)
        self.clock, self.delay_turns = clock, delay_turns

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float | None = None,
        json_schema: JsonSchema | None = None,
    ) -> Completion:
        started = self.clock.turn
        result = super().complete(messages, max_tokens=max_tokens, json_schema=json_schema)
        self.clock.wait_until(started + self.delay_turns)
        return result
