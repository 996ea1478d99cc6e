"""Precision and recall of the redactor on a labelled sample (used by a test and a bench)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from privacy.redaction import Redactor


@dataclass(frozen=True)
class Score:
    true_positives: int
    detected: int
    labelled: int
    misses: tuple[tuple[str, str], ...]
    false_alarms: tuple[tuple[str, str], ...]

    @property
    def precision(self) -> float:
        return self.true_positives / self.detected if self.detected else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.labelled if self.labelled else 1.0


def evaluate(sample: Path) -> Score:
    tp = detected = labelled = 0
    misses: list[tuple[str, str]] = []
    alarms: list[tuple[str, str]] = []
    for case in json.loads(sample.read_text()):
        redactor = Redactor("tk-eval")
        redactor.text(case["text"])
        found = {(tag[1:].split("_")[0], value) for tag, value in redactor.seen.items()}
        expected = {(kind, value) for kind, value in case["pii"]}
        tp += len(found & expected)
        detected += len(found)
        labelled += len(expected)
        misses += sorted(expected - found)
        alarms += sorted(found - expected)
    return Score(tp, detected, labelled, tuple(misses), tuple(alarms))
