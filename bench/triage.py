"""Triage accuracy per field on the labelled demo tickets, with the real model.

    python -m bench.triage [--limit N] [--out FILE]

The model is the app's (``LOCAL_MODEL``, default ``auto``: Qwen 1.5B when installed, or any
configured server). Each ticket of ``tests/data/triage_tickets.json`` is triaged the way the
app does it (schema through the model port, lenient reading); three columns are printed per
field: the model alone (a field it did not answer validly counts as wrong), the rules alone,
and what the app stores (the model, with the rules for the fields it missed). Labels are
scored as exact sets and as F1. Exits 1 when a target for what the app stores is missed.
"""

from __future__ import annotations

import argparse
import atexit
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assistant.errors import ModelError
from assistant.protocol import JsonSchema
from assistant.triage import triage_messages
from config.bootstrap import build_model
from config.settings import load_settings
from tickets import triage_rules
from tickets.triage import SCHEMA, Suggestion, combine, parse

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "triage_tickets.json"
FIELDS = ("priority", "sentiment", "language")
TARGETS = {"priority": 0.7, "sentiment": 0.7, "language": 0.9, "labels_f1": 0.7}


def f1(found: set[str], gold: set[str]) -> float:
    if not found and not gold:
        return 1.0
    hits = len(found & gold)
    if not hits:
        return 0.0
    precision, recall = hits / len(found), hits / len(gold)
    return 2 * precision * recall / (precision + recall)


def value(suggestion: Suggestion | Mapping[str, Any], name: str) -> str | None:
    raw = suggestion.get(name) if isinstance(suggestion, Mapping) else getattr(suggestion, name)
    return None if raw is None else str(getattr(raw, "value", raw))


@dataclass
class Score:
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    exact_labels: int = 0
    label_f1: float = 0.0
    n: int = 0

    def add(self, got: Suggestion | Mapping[str, Any], gold: Mapping[str, Any]) -> None:
        self.n += 1
        for name in FIELDS:
            self.right[name] += value(got, name) == gold[name]
        raw = got.get("labels", ()) if isinstance(got, Mapping) else got.labels
        labels = set(raw or ())
        self.exact_labels += labels == set(gold["labels"])
        self.label_f1 += f1(labels, set(gold["labels"]))

    def share(self, name: str) -> float:
        if name == "labels_f1":
            return self.label_f1 / max(self.n, 1)
        if name == "labels_exact":
            return self.exact_labels / max(self.n, 1)
        return self.right[name] / max(self.n, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.triage")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "bench-triage.json"))
    args = parser.parse_args(argv)
    tickets = json.loads(DATA.read_text())["tickets"]
    tickets = tickets[: args.limit] if args.limit else tickets
    settings = load_settings()
    folder = Path(tempfile.mkdtemp(prefix="bench-triage-"))
    atexit.register(shutil.rmtree, folder, True)  # the joined model is 1.1 GB
    settings = replace(settings, store=replace(settings.store, data_dir=folder))
    model, _server = build_model(settings)
    model_only, rules_only, stored = Score(), Score(), Score()
    log: list[dict[str, Any]] = []
    failures, began = 0, time.perf_counter()
    schema = JsonSchema("ticket_triage", SCHEMA)
    for n, ticket in enumerate(tickets, start=1):
        rules = triage_rules.suggest(ticket["subject"], ticket["text"])
        started = time.perf_counter()
        try:
            completion = model.complete(
                triage_messages(settings.product_name, ticket["subject"], ticket["text"]),
                max_tokens=120,
                temperature=0.0,
                json_schema=schema,
            )
            raw, answered = completion.text, parse(completion.text)
        except ModelError as exc:
            raw, answered, failures = f"error: {exc.code}", {}, failures + 1
        app, source = combine(answered, rules)
        model_only.add(answered, ticket)
        rules_only.add(rules, ticket)
        stored.add(app, ticket)
        log.append(
            {
                "subject": ticket["subject"],
                "gold": {k: ticket[k] for k in (*FIELDS, "labels")},
                "raw": raw,
                "stored": app.to_dict(),
                "source": source,
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
        print(f"{n}/{len(tickets)} {source} {raw[:90]!r}", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - began
    Path(args.out).write_text(json.dumps(log, indent=1, ensure_ascii=False))
    print(
        f"\nTriage on {len(tickets)} labelled tickets, model {model.name}, "
        f"{seconds / 60:.1f} min, {failures} failed calls ({args.out})"
    )
    print(f"  {'field':<16} {'model alone':>12} {'rules alone':>12} {'stored':>8}  target")
    missed = False
    for name in (*FIELDS, "labels_exact", "labels_f1"):
        target = TARGETS.get(name)
        figures = [s.share(name) for s in (model_only, rules_only, stored)]
        met = target is None or figures[2] >= target
        missed |= not met
        verdict = "" if target is None else f">= {target:.2f} {'met' if met else 'MISSED'}"
        print(f"  {name:<16} {figures[0]:>12.2f} {figures[1]:>12.2f} {figures[2]:>8.2f}  {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
