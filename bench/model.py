"""Model benchmark: the local models on this machine, and the app's own overhead per turn.

For each installed local model: start-up time, first-token latency and tokens per second for
a reply and for a summary, and how many of the conversation's facts the summary kept (a
quality check). Then the app's overhead per turn: from submit (store the message, check the
budget, build the prompt from memory, store the pending reply) to the first request byte at
an OpenAI-compatible server on loopback that answers instantly. Target: under 50 ms.

    python -m bench.model [smollm2] [qwen2.5-1.5b]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from assistant.errors import ModelUnavailable
from assistant.local_server import LocalModelServer, resolve
from assistant.openai_model import OpenAIChatModel, make_client
from assistant.prompts import customer_system_prompt, summary_messages
from assistant.settings import ModelSettings
from config.bootstrap import build_services
from config.settings import Settings
from memory.prompt import ChatMessage
from memory.summary import SummaryRequest
from storage.sqlite import sqlite_store
from tests.support.fake_openai import FakeOpenAIServer
from tickets.domain import Role, User

TRANSCRIPT = [
    "#1 Customer: My thermostat TH-300 (order TH-48213, bought 2026-09-14 for $189.00) keeps "
    "dropping off Wi-Fi every few hours.",
    "#2 Assistant: Sorry about that! Which firmware version does the app show?",
    "#3 Customer: Firmware 4.2.1. I restarted the router and moved it to channel 6, no change.",
    "#4 Assistant: Thanks. A 4.2.2 update targets this; if it persists we will replace it.",
    "#5 Customer: OK. You can email me at ada@example.com when it is out.",
]
FACTS = ["TH-300", "TH-48213", "2026-09-14", "$189", "4.2.1", "ada@example.com"]
QUESTION = [
    ChatMessage("system", customer_system_prompt("Acme Home")),
    ChatMessage("user", "My kettle leaks from the base since yesterday. What should I do?"),
]


def timed_stream(
    model: OpenAIChatModel, messages: list[ChatMessage], max_tokens: int
) -> tuple[str, float, float, int]:
    began = time.perf_counter()
    first = None
    stream = model.stream(messages, max_tokens=max_tokens)
    for _ in stream:
        if first is None:
            first = time.perf_counter() - began
    total = time.perf_counter() - began
    assert stream.result is not None
    tokens = stream.result.usage.completion_tokens if stream.result.usage else 0
    generating = max(total - (first or 0.0), 1e-6)
    return stream.text, first or total, tokens / generating, tokens


def bench_local(key: str) -> None:
    try:
        local = resolve(key, Path(tempfile.gettempdir()) / "ticket-assistant-models")
    except ModelUnavailable as exc:
        print(f"{key}: not installed ({exc.message})")
        return
    server = LocalModelServer(local)
    began = time.perf_counter()
    server.start()
    startup = time.perf_counter() - began
    client = make_client(server.api_key, server.base_url, connect_timeout_s=10, stall_timeout_s=300)
    model = OpenAIChatModel(client, local.alias)
    _, reply_first, reply_rate, reply_tokens = timed_stream(model, QUESTION, 200)
    request = SummaryRequest("", TRANSCRIPT, 300)
    summary, sum_first, sum_rate, sum_tokens = timed_stream(model, summary_messages(request), 300)
    kept = [f for f in FACTS if f in summary]
    print(f"\n{key} ({local.path.name}, {local.path.stat().st_size / 1e6:.0f} MB)")
    print(f"  start-up: {startup:.1f} s")
    print(
        f"  reply:   first token {reply_first:.2f} s, {reply_rate:.1f} tokens/s "
        f"({reply_tokens} tokens)"
    )
    print(
        f"  summary: first token {sum_first:.2f} s, {sum_rate:.1f} tokens/s ({sum_tokens} tokens)"
    )
    print(f"  summary kept {len(kept)}/{len(FACTS)} facts: {', '.join(kept) or '-'}")
    print("  summary text:\n    " + summary.strip().replace("\n", "\n    "))
    server.stop()


def bench_overhead(turns: int = 30) -> None:
    fake = FakeOpenAIServer().start()
    arrivals: list[float] = []
    original = fake._serve

    def record(handler, body, behaviour):  # type: ignore[no-untyped-def]
        arrivals.append(time.perf_counter())
        original(handler, body, behaviour)

    fake._serve = record  # type: ignore[method-assign]
    settings = replace(
        Settings(), model=ModelSettings(api_key="sk-bench", base_url=fake.base_url, model="m")
    )
    store = sqlite_store(Path(tempfile.mkdtemp()) / "bench.db")
    services = build_services(settings, store=store, run_later=lambda job: None)
    ada = User("cust-ada", Role.CUSTOMER, "Ada")
    store.users.save(ada)
    ticket = services.tickets.open_ticket(ada, "Kettle", "It leaks")
    services.counter.count("warm up the tokenizer")
    samples = []
    for i in range(turns):
        submitted = time.perf_counter()
        access = services.tickets.access(ada, ticket.id)
        services.tickets.post(access, f"Follow-up {i}: it still leaks after descaling.")
        run = services.assistant.reply(access)
        assert run is not None
        stream = iter(run)
        next(stream)  # the request has been sent once the first token arrives
        samples.append((arrivals[-1] - submitted) * 1000)
        for _ in stream:
            pass
    fake.stop()
    print(f"\napp overhead per turn (submit to first request byte, embedded store, {turns} turns):")
    print(
        f"  median {statistics.median(samples):.1f} ms, "
        f"p90 {sorted(samples)[int(turns * 0.9)]:.1f} ms,"
        f" max {max(samples):.1f} ms (target < 50 ms)"
    )


def main() -> int:
    for key in sys.argv[1:] or ["smollm2", "qwen2.5-1.5b"]:
        bench_local(key)
    bench_overhead()
    return 0


if __name__ == "__main__":
    sys.exit(main())
