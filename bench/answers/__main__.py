"""Answer-quality benchmark over the demo knowledge base, with the real model.

    python -m bench.answers [--limit N] [--only answerable,unanswerable,handoff,copilot]

The model is the app's: the local model (``LOCAL_MODEL``, default ``auto``: Qwen 1.5B when
installed) or any configured server (``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` /
``OPENAI_MODEL``). The store is a fresh embedded one seeded with the demo data and articles.
Each question is a new ticket of its own customer; unanswerable questions come in pairs on one
ticket, so the second "I don't know" must hand the ticket over. Prints every figure beside its
target and exits 1 when a target is missed. Writes the replies to ``--out`` for reading.
"""

from __future__ import annotations

import argparse
import atexit
import json
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.copilot import SUGGEST, SUMMARIZE
from assistant.evidence import Evidence
from assistant.pipeline import ReplyRun
from assistant.quoting import is_quoted
from bench.answers.scoring import Tally, facts_found, judge_answer, judge_unanswerable
from config.bootstrap import Services, build_services
from config.settings import load_settings
from demo.seed import KIM, seed_demo
from knowledge.retrieval import top_articles
from tickets.domain import Role, Status, User

DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "answer_questions.json"
PARTS = ("answerable", "unanswerable", "handoff", "copilot")


def evidence_of(run: ReplyRun | None) -> str:
    """The sentence the evidence step found (or what it wrote that no article holds)."""
    evidence = getattr(run.convo.model, "evidence", None) if run is not None else None
    if not isinstance(evidence, Evidence):
        return ""
    where = f" ({evidence.passage.article_id})" if evidence.passage is not None else ""
    return f"{evidence.sentence}{where}" if evidence.sentence else f"answered={evidence.answered}"


def drain(run: ReplyRun | None) -> tuple[str, list[str], str, str]:
    """The stored text, its sources, everything the model was given, and its raw text."""
    if run is None:
        return "", [], "", ""
    for _ in run:
        pass
    message = run.message
    given = "\n".join(m.content for m in run.plan.messages)
    if message is None:
        return "", [], given, run.raw_text
    return message.text, [s.article_id for s in message.sources], given, run.raw_text


class Bench:
    def __init__(self, services: Services, log: list[dict[str, Any]]) -> None:
        self.s, self.log, self.n = services, log, 0
        self.tally = Tally()
        self.evidence = ""  # of the latest reply, for the record

    def drain(self, run: ReplyRun | None) -> tuple[str, list[str], str, str]:
        drained = drain(run)
        self.evidence = evidence_of(run)
        return drained

    def customer(self) -> User:
        self.n += 1
        user = User(f"bench-c{self.n}", Role.CUSTOMER, f"Bench customer {self.n}")
        self.s.store.users.save(user)
        return user

    def ask_new(self, question: str) -> tuple[User, str, tuple[str, list[str], str, str]]:
        user = self.customer()
        ticket = self.s.tickets.open_ticket(user, "Help request", question)
        return (
            user,
            ticket.id,
            self.drain(self.s.assistant.reply(self.s.tickets.access(user, ticket.id))),
        )

    def answerable(self, items: list[dict[str, Any]]) -> None:
        t = self.tally
        for item in items:
            found = self.s.articles.retriever.search(item["q"], public_only=True, k=10)
            hit = item["article"] in top_articles(found, 3)
            _, _, (text, sources, given, raw) = self.ask_new(item["q"])
            judged = judge_answer(text, sources, item["article"], item["facts"], given)
            t.answerable += 1
            t.retrieval_hits += hit
            t.correct += judged.correct
            t.right_source += judged.right_source
            t.quoted += is_quoted(text)
            t.invented_replies += bool(judged.invented)
            t.invented_raw += bool(judge_unanswerable(raw, given).invented)
            self.record(
                "answerable", item["q"], text, sources, raw, judged.correct, judged.invented
            )

    def unanswerable(self, questions: list[str]) -> None:
        t = self.tally
        for first, second in zip(questions[::2], questions[1::2], strict=False):
            user, ticket_id, (text, sources, given, raw) = self.ask_new(first)
            outcomes = [self.judge_decline(first, text, sources, given, raw)]
            access = self.s.tickets.access(user, ticket_id)
            self.s.tickets.post(access, second)
            reply = self.s.assistant.reply(self.s.tickets.access(user, ticket_id))
            text2, sources2, given2, raw2 = self.drain(reply)
            outcomes.append(self.judge_decline(second, text2, sources2, given2, raw2))
            handed = self.handed_over(ticket_id)
            expected = all(outcomes)
            t.handoff_right += handed == expected
            t.handoff_wrong += handed != expected
            self.evidence = ""
            self.record(
                "handoff-after-two", f"{first} / {second}", "", [], "", handed == expected, ()
            )

    def judge_decline(self, q: str, text: str, sources: list[str], given: str, raw: str) -> bool:
        t = self.tally
        judged = judge_unanswerable(text, given)
        ok = judged.declined and judged.person_offered and not sources
        t.unanswerable += 1
        t.declined_with_person += ok
        t.invented_replies += bool(judged.invented)
        t.invented_raw += bool(judge_unanswerable(raw, given).invented)
        self.record("unanswerable", q, text, sources, raw, ok, judged.invented)
        return judged.declined

    def handed_over(self, ticket_id: str) -> bool:
        ticket = self.s.store.tickets.get(ticket_id)
        return bool(ticket and ticket.status is Status.WAITING_ON_AGENT and ticket.awaits_handoff)

    def handoff(self, items: list[dict[str, Any]]) -> None:
        t = self.tally
        for item in items:
            _, ticket_id, (text, *_rest) = self.ask_new(item["text"])
            handed = self.handed_over(ticket_id)
            right = handed == item["expected"]
            t.handoff_right += right
            t.handoff_wrong += not right
            self.record("handoff-words", item["text"], text, [], "", right, ())

    def copilot(self, items: list[dict[str, Any]]) -> None:
        t = self.tally
        for item in items:
            access = self.s.tickets.access(KIM, item["ticket"])
            question = {"summarize": SUMMARIZE, "suggest": SUGGEST}.get(
                item["task"], item.get("question", "")
            )
            text, sources, _, raw = self.drain(self.s.copilot.ask(access, question))
            has_facts = facts_found(text, item["facts"]) == len(item["facts"])
            if item["task"] == "summarize":
                ticket = access.ticket
                repeats = sum(field in text for field in (ticket.id, ticket.subject))
                t.summaries += 1
                t.summaries_with_facts += has_facts
                t.summary_header_repeats += repeats
                ok = has_facts
            elif item["task"] == "suggest":
                leaks = [w for w in item.get("forbidden", []) if w.lower() in text.lower()]
                t.drafts += 1
                t.drafts_leaking += bool(leaks)
                ok = has_facts and not leaks
                t.drafts_right += ok
            else:
                t.questions += 1
                ok = has_facts
                t.questions_right += ok
            self.record(
                f"copilot-{item['task']}",
                f"{item['ticket']}: {question}",
                text,
                sources,
                raw,
                ok,
                (),
            )

    def record(
        self, part: str, q: str, text: str, sources: list[str], raw: str, ok: bool, invented: Any
    ) -> None:
        self.log.append(
            {"part": part, "q": q, "reply": text, "sources": sources, "raw": raw, "ok": ok,
             "invented": list(invented), "evidence": self.evidence}
        )  # fmt: skip
        mark = "ok " if ok else "NO "
        print(f"  {mark}[{part}] {q[:70]} -> {text[:90]!r}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.answers")
    parser.add_argument("--limit", type=int, default=0, help="at most N items per part")
    parser.add_argument("--only", default=",".join(PARTS))
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "bench-answers.json"))
    args = parser.parse_args(argv)
    data = json.loads(DATA.read_text())
    settings = load_settings()
    folder = Path(tempfile.mkdtemp(prefix="bench-answers-"))
    atexit.register(shutil.rmtree, folder, True)  # the joined model is 1.1 GB
    settings = replace(
        settings,
        store=replace(settings.store, backend="sqlite", data_dir=folder),
        model=replace(settings.model, max_reply_tokens=min(settings.model.max_reply_tokens, 300)),
    )
    services = build_services(settings, run_later=lambda job: job())
    seed_demo(services.store, long_messages=60)
    log: list[dict[str, Any]] = []
    bench = Bench(services, log)
    began = time.perf_counter()
    parts = [p for p in args.only.split(",") if p in PARTS]
    for part in parts:
        items = data[part][: args.limit] if args.limit else data[part]
        print(f"{part}: {len(items)} items", file=sys.stderr, flush=True)
        getattr(bench, part)(items)
    bench.tally.seconds = time.perf_counter() - began
    Path(args.out).write_text(json.dumps(log, indent=1, ensure_ascii=False))
    model = services.model.name
    print(f"\nAnswer quality, model {model}, {bench.tally.seconds / 60:.1f} min ({args.out})")
    missed = False
    for figure, value, target, met in bench.tally.report():
        if met is None:
            print(f"  {figure:<62} {value}")
            continue
        missed |= not met
        print(f"  {figure:<62} {value:<14} target {target:<8} {'met' if met else 'MISSED'}")
    services.close()
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
