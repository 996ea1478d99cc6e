"""Pinned-fact extractor benchmark: precision and recall per kind on the labelled sample
``tests/data/facts_sample.json`` (realistic ticket sentences with decoys such as ``HDMI-2``,
``UTF-8``, ``ISO-9001``, ``WD-40``, versions, times and quantities).

Target: precision and recall >= 0.9 for every kind. Exits non-zero on a miss.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from memory.facts_eval import evaluate

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "facts_sample.json"
TARGET = 0.9


def main() -> int:
    cases = json.loads(SAMPLE.read_text(encoding="utf-8"))
    scores = evaluate(SAMPLE)
    decoys = sum(not case["facts"] for case in cases)
    print(
        f"Fact extractor: {len(cases)} sentences ({decoys} with no fact), "
        f"{sum(s.labelled for s in scores.values())} labelled facts; target >= {TARGET} each"
    )
    print(f"{'kind':<10} {'precision':>9} {'recall':>7} {'found':>6} {'labelled':>9}")
    ok = True
    for kind, score in scores.items():
        met = score.precision >= TARGET and score.recall >= TARGET
        ok &= met
        print(
            f"{kind:<10} {score.precision:>9.2f} {score.recall:>7.2f} {score.found:>6} "
            f"{score.labelled:>9}  {'ok' if met else 'MISSED'}"
        )
        for miss in score.misses:
            print(f"    missed: {miss}")
        for alarm in score.false_alarms:
            print(f"    not a fact: {alarm}")
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
