"""Writes ``report_fixture.json``: 60 tickets over 14 days with what happened to each, and the
report's known answers, computed here from the raw timelines by plain arithmetic (sorted
lists, counts), not by the product's aggregates. Run it only to change the fixture:
``python tests/data/make_report_fixture.py``; the answers are then checked in as literals.

Steps are ``[minute, what, ...]`` after the ticket opened (at ``day`` + ``start`` minutes,
UTC): assistant | agent (a public answer), customer (a reply: reopens a resolved ticket),
resolve, handoff REASON, tokens PROMPT COMPLETION, csat SCORE, rate AUTHOR up|down [REASON],
sla first|next PRIORITY.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

START = "2026-10-01"
DAYS = 14
SUBRANGE = (3, 9)  # a second report: days 3-9 only
REASONS = ["asked_in_words", "button", "unanswered", "budget"]


def nearest_rank(values: list[int], p: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def timeline(rng: random.Random, n: int) -> dict[str, object]:
    day = rng.randrange(DAYS)
    start = rng.randrange(8 * 60, 18 * 60)
    steps: list[list[object]] = []
    minute = 0
    human = rng.random() < 0.45
    minute += rng.randrange(1, 50)
    steps.append([minute, "agent" if human and rng.random() < 0.5 else "assistant"])
    steps.append([minute, "tokens", rng.randrange(200, 900), rng.randrange(20, 300)])
    if rng.random() < 0.3:
        minute += rng.randrange(1, 30)
        steps.append([minute, "handoff", rng.choice(REASONS)])
        human = True
    if human:
        minute += rng.randrange(5, 180)
        steps.append([minute, "agent"])
    if rng.random() < 0.5:
        steps.append([minute, "rate", "assistant", rng.choice(["up", "up", "down"])])
    if rng.random() < 0.25:
        steps.append([minute, "rate", "agent", "down", rng.choice(["wrong", "slow"])])
    if rng.random() < 0.2:
        steps.append([minute, "rate", "copilot", rng.choice(["up", "down"])])
    if rng.random() < 0.15:
        steps.append([minute, "sla", rng.choice(["first", "next"]), rng.choice(["high", "low"])])
    if rng.random() < 0.8:
        minute += rng.randrange(10, 60 * 30)
        steps.append([minute, "resolve"])
        if rng.random() < 0.6:
            steps.append([minute + 5, "csat", rng.randrange(1, 6)])
        if rng.random() < 0.2:
            minute += rng.randrange(30, 600)
            steps.append([minute, "customer"])
            steps.append([minute, "tokens", rng.randrange(100, 500), rng.randrange(10, 100)])
            minute += rng.randrange(10, 300)
            steps.append([minute, "agent"])
            minute += rng.randrange(10, 300)
            steps.append([minute, "resolve"])
            if rng.random() < 0.5:
                steps.append([minute + 2, "csat", rng.randrange(1, 6)])  # a changed score
    return {"id": f"tk-fix-{n:03d}", "day": day, "start": start, "steps": steps}


def answers(tickets: list[dict[str, object]], first: int, last: int) -> dict[str, object]:
    """The figures of a report over days ``first``-``last`` (inclusive), by plain counting."""
    c: dict[str, int] = {}
    first_resp: dict[str, list[int]] = {"assistant": [], "human": []}
    resolution: list[int] = []
    csat: dict[str, list[int]] = {"assistant": [], "human": []}
    ratings: dict[str, list[str]] = {"assistant": [], "agent": [], "copilot": []}
    reasons: dict[str, int] = {}
    sla: dict[str, int] = {}

    def inc(key: str, n: int = 1) -> None:
        c[key] = c.get(key, 0) + n

    for t in tickets:
        opened = int(t["day"]) * 1440 + int(t["start"])  # type: ignore[call-overload]

        def in_range(minute: int, opened: int = opened) -> bool:
            return first <= (opened + minute) // 1440 <= last

        responded, human, resolved, unresolved_tokens = False, False, False, 0
        latest_csat: tuple[int, int, str] | None = None
        for step in t["steps"]:  # type: ignore[attr-defined]
            minute, what, *args = step
            here = in_range(minute)
            if what in ("assistant", "agent"):
                human = human or what == "agent"
                if not responded:
                    responded = True
                    if here:
                        who = "human" if what == "agent" else "assistant"
                        first_resp[who].append(minute * 60)
            elif what == "tokens":
                unresolved_tokens += args[0] + args[1]
                if here:
                    inc("tokens", args[0] + args[1])
            elif what == "handoff":
                human = True
                if here:
                    inc("handoffs")
                    reasons[args[0]] = reasons.get(args[0], 0) + 1
            elif what == "resolve":
                resolved = True
                if here:
                    inc("resolved")
                    inc("resolved_tokens", unresolved_tokens)
                    resolution.append(minute * 60)
                    if not human:
                        inc("resolved_by_assistant")
                unresolved_tokens = 0
            elif what == "customer":
                if resolved and here:
                    inc("reopened")
                resolved = False
            elif what == "csat":
                latest_csat = (minute, args[0], "human" if human else "assistant")
            elif what == "rate":
                if here:
                    ratings[args[0]].append(args[1])
                    if args[1] == "down" and len(args) > 2:
                        key = f"{args[0]}.{args[2]}"
                        reasons[f"rating:{key}"] = reasons.get(f"rating:{key}", 0) + 1
            elif what == "sla" and here:
                sla[f"{args[0]}.{args[1]}"] = sla.get(f"{args[0]}.{args[1]}", 0) + 1
        if in_range(0):
            inc("opened")
        if latest_csat is not None and in_range(latest_csat[0]):
            csat[latest_csat[2]].append(latest_csat[1])
    all_first = first_resp["assistant"] + first_resp["human"]
    resolved_n = c.get("resolved", 0)
    return {
        "opened": c.get("opened", 0),
        "resolved": resolved_n,
        "resolved_by_assistant": c.get("resolved_by_assistant", 0),
        "handoffs": c.get("handoffs", 0),
        "reopened": c.get("reopened", 0),
        "first_response_median_s": nearest_rank(all_first, 50),
        "first_response_p90_s": nearest_rank(all_first, 90),
        "first_response_assistant": [len(first_resp["assistant"])]
        + [nearest_rank(first_resp["assistant"], p) for p in (50, 90)],
        "first_response_human": [len(first_resp["human"])]
        + [nearest_rank(first_resp["human"], p) for p in (50, 90)],
        "resolution_median_s": nearest_rank(resolution, 50),
        "resolution_p90_s": nearest_rank(resolution, 90),
        "tokens": c.get("tokens", 0),
        "resolved_tokens": c.get("resolved_tokens", 0),
        "handoff_reasons": {k: v for k, v in reasons.items() if not k.startswith("rating:")},
        "rating_reasons": {k[7:]: v for k, v in reasons.items() if k.startswith("rating:")},
        "csat": {k: [v.count(s) for s in range(1, 6)] for k, v in csat.items()},
        "ratings": {k: [v.count("up"), v.count("down")] for k, v in ratings.items()},
        "sla": sla,
    }


def main() -> None:
    rng = random.Random(20261001)
    tickets = [timeline(rng, n) for n in range(60)]
    fixture = {
        "start": START,
        "days": DAYS,
        "tickets": tickets,
        "expected": {
            "all": answers(tickets, 0, DAYS + 2),
            "days_3_9": answers(tickets, *SUBRANGE),
        },
    }
    path = Path(__file__).with_name("report_fixture.json")
    path.write_text(json.dumps(fixture, indent=1) + "\n")


if __name__ == "__main__":
    main()
