"""Precision and recall of the pinned-fact extractor per kind, on a labelled sample (used by
a unit test and by ``python -m bench.facts``)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from memory.facts import KINDS, find_facts


@dataclass
class KindScore:
    true_positives: int = 0
    found: int = 0
    labelled: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_positives / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.labelled if self.labelled else 1.0


def evaluate(sample: Path) -> dict[str, KindScore]:
    """Exact matches of (kind, value): a value cut short or given the wrong kind counts as
    both a miss and a false alarm."""
    scores: dict[str, KindScore] = defaultdict(KindScore)
    for case in json.loads(sample.read_text(encoding="utf-8")):
        expected = {(kind, value) for kind, value in case["facts"]}
        found = set(find_facts(case["text"]))
        for kind, value in expected:
            scores[kind].labelled += 1
            if (kind, value) in found:
                scores[kind].true_positives += 1
            else:
                scores[kind].misses.append(f"{value!r} in {case['text']!r}")
        for kind, value in found:
            scores[kind].found += 1
            if (kind, value) not in expected:
                scores[kind].false_alarms.append(f"{value!r} in {case['text']!r}")
    return {kind: scores[kind] for kind in KINDS if kind in scores}
