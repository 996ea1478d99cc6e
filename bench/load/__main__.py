"""Load test: two app processes on one Firestore emulator behind a sticky round-robin proxy.

    python -m bench.load [--customers 4] [--agents 1] [--seconds 60]

Starts, on loopback only: the official Firestore emulator, a model server that answers at
once, two Streamlit processes of the app (``TICKETS_STORE=firestore``), and the proxy
(bench/load/proxy.py). Then Locust runs N customers (sign in, open a ticket, chat) and M
agents (sign in, open a customer's ticket, reply) for a bounded time, each driving the real
app through Streamlit's websocket protocol. It prints turns per second, p50/p95/p99 of the
app's own time per action (script run, from the request to the end of the run that answers
it; the model answers at once), errors, how the proxy spread sessions, and checks in the
store that nothing was lost or duplicated. Exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from bench.load.ledger import AGENTS, CUSTOMERS, Ledger, name_of
from bench.load.protocol import Session
from bench.load.verify import check_store
from storage.firestore import firestore_store
from storage.firestore.client import make_firestore_client
from storage.settings import StoreSettings
from tests.support.app_process import streamlit_command
from tests.support.emulator import Emulator, free_port, start_emulator
from tickets.domain import Role, User
from tickets.store import Store

ROOT = Path(__file__).resolve().parents[2]
ASSISTANT_TURN, AGENT_TURN = "turn: assistant replies", "turn: on an agent's ticket"
# turn_p95_s: the app's own time for a turn with an assistant reply (the model answers at once)
SETTLE_S = 20
TARGETS = {"errors": 0, "lost": 0, "duplicated": 0, "turn_p95_s": 5.0}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1] if ordered else float("nan")


def wait_http(url: str, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{what} did not answer on {url} within {seconds:.0f} s")


class Stack:
    """Everything the test runs against, started and stopped together."""

    def __init__(self, workdir: Path, emulator: Emulator | None = None) -> None:
        self.workdir = workdir
        self.processes: list[subprocess.Popen[bytes]] = []
        self.emulator, self.own_emulator = emulator, emulator is None
        self.store: Store | None = None
        self.replicas: list[str] = []
        self.replica_pids: list[int] = []
        self.url = ""

    def start(self, customers: int, agents: int) -> None:
        if self.emulator is None:
            self.emulator = start_emulator(self.workdir)
        self.project = f"demo-load-{uuid.uuid4().hex[:8]}"
        settings = StoreSettings(
            "firestore", project=self.project, emulator_host=self.emulator.host
        )
        self.store = firestore_store(make_firestore_client(settings))[0]
        for uid in CUSTOMERS[:customers]:
            self.store.users.save(User(uid, Role.CUSTOMER, name_of(uid)))
        for uid in AGENTS[:agents]:
            self.store.users.save(User(uid, Role.AGENT, name_of(uid)))
        model = self._start("model", [sys.executable, "-m", "bench.load.model"], pipe=True)
        assert model.stdout is not None
        self.model_url = model.stdout.readline().decode().strip()
        self.replicas = [self._replica(n) for n in range(2)]
        port = free_port()
        proxy = [sys.executable, "-m", "bench.load.proxy", "--port", str(port)]
        for url in self.replicas:
            proxy += ["--backend", url]
        self._start("proxy", proxy)
        self.url = f"http://127.0.0.1:{port}"
        wait_http(self.url + "/_proxy/stats", 30, "the proxy")

    def _start(
        self, name: str, argv: list[str], pipe: bool = False, **kw: object
    ) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"{name}.log").open("wb")
        process = subprocess.Popen(  # type: ignore[call-overload]
            argv, stdout=subprocess.PIPE if pipe else log, stderr=log, cwd=ROOT, **kw
        )
        self.processes.append(process)
        return process  # type: ignore[no-any-return]

    def _replica(self, n: int) -> str:
        assert self.emulator is not None
        port = free_port()
        home = self.workdir / f"replica-{n}"
        (home / ".streamlit").mkdir(parents=True)
        shutil.copy(ROOT / ".streamlit" / "config.toml", home / ".streamlit" / "config.toml")
        env = os.environ | {
            "TICKETS_STORE": "firestore",
            "FIRESTORE_EMULATOR_HOST": self.emulator.host,
            "GOOGLE_CLOUD_PROJECT": self.project,
            "OPENAI_API_KEY": "sk-load",
            "OPENAI_BASE_URL": self.model_url,
            "OPENAI_MODEL": "fake-model",
            "SEED_DEMO": "false",
            "PYTHONPATH": str(ROOT),
        }
        argv = streamlit_command(
            "127.0.0.1", port, "--server.fileWatcherType=none", "--server.runOnSave=false"
        )
        self.replica_pids.append(self._start(f"replica-{n}", argv, env=env).pid)
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/_stcore/health", 90, f"replica {n}")
        return url

    def replica_memory_mb(self) -> list[float]:
        """Each replica's resident memory now (Linux), in MB."""
        sizes = []
        for pid in self.replica_pids:
            status = Path(f"/proc/{pid}/status").read_text()
            kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
            sizes.append(int(kb) / 1024)
        return sizes

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.store is not None:
            self.store.close()
        if self.emulator is not None and self.own_emulator:
            self.emulator.stop()


def warm_up(stack: Stack) -> None:
    """One page per replica first: a process builds its services on its first page."""
    for url in stack.replicas:
        session = Session(url, timeout=120)
        session.open()
        session.rerun()
        session.close()


def run_swarm(stack: Stack, customers: int, agents: int, seconds: float) -> Ledger:
    """Locust in its own process (it patches the standard library with gevent)."""
    path = stack.workdir / "ledger.json"
    argv = [sys.executable, "-m", "bench.load.swarm", "--url", stack.url]
    argv += ["--customers", str(customers), "--agents", str(agents)]
    argv += ["--seconds", str(seconds), "--ledger", str(path)]
    with (stack.workdir / "locust.log").open("wb") as log:
        subprocess.run(argv, cwd=ROOT, stdout=log, stderr=log, timeout=seconds + 180, check=True)
    return Ledger.load(path)


def settled_check(store: Store, ledger: Ledger) -> tuple[dict[str, int], list[str]]:
    """Check the store; while something is missing, look again for up to SETTLE_S: a run
    the last simulated people started as the test stopped may still be storing (as when a
    person closes the tab just after sending). Prints how long that took."""
    started = time.monotonic()
    while True:
        problems: list[str] = []
        stats = check_store(store, ledger, problems)
        waited = time.monotonic() - started
        if not problems or waited > SETTLE_S:
            if problems:
                print(f"(looked again for {waited:.0f} s: still missing or repeated)")
            elif waited > 1:
                print(f"(the store settled {waited:.0f} s after the test stopped)")
            return stats, problems
        time.sleep(2)


def report(
    ledger: Ledger,
    stats: dict[str, int],
    problems: list[str],
    args: argparse.Namespace,
    spread: str,
    rss: str,
) -> int:
    answered = ledger.timings.get(ASSISTANT_TURN, [])
    turns = answered + ledger.timings.get(AGENT_TURN, [])
    print(
        f"\nLoad test: {args.customers} customers, {args.agents} agents, {args.seconds:.0f} s, "
        f"two app processes on one Firestore emulator behind the sticky proxy "
        f"(sessions per replica: {spread})"
    )
    print("app latency per action (script run: request to the end of the run answering it)")
    print(f"{'action':<28}{'count':>7}{'p50 s':>9}{'p95 s':>9}{'p99 s':>9}")
    for name, values in sorted(ledger.timings.items()):
        print(
            f"{name:<28}{len(values):>7}{percentile(values, 50):>9.3f}"
            f"{percentile(values, 95):>9.3f}{percentile(values, 99):>9.3f}"
        )
    figures = {
        "errors": len(ledger.errors),
        "lost": stats["lost"],
        "duplicated": stats["duplicated"],
        "turn_p95_s": percentile(answered, 95),
    }
    print(
        f"\nturns per second: {len(turns) / args.seconds:.2f} ({len(turns)} customer messages "
        f"stored; {len(answered) / args.seconds:.2f}/s with the assistant's reply streamed and "
        f"stored in the same run, the rest on tickets an agent had answered)"
    )
    print(f"memory per replica after the run (RSS): {rss}")
    print(
        f"checked in the store: {stats['tickets']} tickets, {stats['messages']} messages, "
        f"{stats['sent']} sent by the simulated people ({stats['unconfirmed']} of them "
        f"unconfirmed and not stored: an error shown or the test stopping mid-send), "
        f"{stats['replies']} assistant replies"
    )
    missed = 0 if answered else 1
    if not answered:
        print("no turn with an assistant reply completed: nothing was measured")
    for name, target in TARGETS.items():
        value = figures[name]
        ok = value <= target  # a NaN (no turns) is not <= anything: missed
        missed += not ok
        print(f"{name:<12} {value:>8.3f}   target <= {target}   {'met' if ok else 'MISSED'}")
    for line in ledger.errors[:10]:
        print("error:", line)
    for line in problems[:10]:
        print(line)
    return 1 if missed else 0


def main(argv: list[str] | None = None, emulator: Emulator | None = None) -> int:
    """Run the load test; ``emulator``: one already running (the tests'), else its own."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--customers", type=int, default=4, help="1-40 (default 4)")
    parser.add_argument("--agents", type=int, default=1, help="0-5 (default 1)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long (default 60)")
    args = parser.parse_args(argv)
    if not 1 <= args.customers <= len(CUSTOMERS) or not 0 <= args.agents <= len(AGENTS):
        parser.error(f"--customers 1-{len(CUSTOMERS)}, --agents 0-{len(AGENTS)}")
    workdir = Path(tempfile.mkdtemp(prefix="load-"))
    stack = Stack(workdir, emulator)
    try:
        stack.start(args.customers, args.agents)
        warm_up(stack)
        ledger = run_swarm(stack, args.customers, args.agents, args.seconds)
        with urllib.request.urlopen(stack.url + "/_proxy/stats") as response:  # noqa: S310
            spread = json.loads(response.read())["sessions"]
        assert stack.store is not None
        stats, problems = settled_check(stack.store, ledger)
        rss = " / ".join(f"{mb:.0f} MB" for mb in stack.replica_memory_mb())
        return report(ledger, stats, problems, args, " / ".join(map(str, spread)), rss)
    finally:
        stack.stop()
        print(f"logs: {workdir}")


if __name__ == "__main__":
    sys.exit(main())
