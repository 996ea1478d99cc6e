"""Post-to-appearance delays in the real app: a Streamlit process on the Firestore emulator,
a customer page and an agent page open in headless chromium (demo sign-in on loopback),
and posts stored alternately by each side through the same services the app uses.

The delay is timed from the moment a post is stored (the service call returned) to the
moment its text shows in the other page's thread.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from storage.firestore import firestore_store
from storage.firestore.client import make_firestore_client
from storage.settings import StoreSettings
from tests.support.app_process import streamlit_command
from tests.support.emulator import Emulator, free_port
from tickets.domain import Role, User
from tickets.service import TicketService

ROOT = Path(__file__).resolve().parents[1]
DELAY_TARGET_S = 5.0
ADA = User("cust-ada", Role.CUSTOMER, "Ada Lovelace")
KIM = User("agent-kim", Role.AGENT, "Kim Park")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _app(emulator: Emulator, project: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "TICKETS_STORE": "firestore",
        "FIRESTORE_EMULATOR_HOST": emulator.host,
        "GOOGLE_CLOUD_PROJECT": project,
        "OPENAI_API_KEY": "sk-bench",  # the assistant is off on the ticket: never called
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
    }
    command = streamlit_command("127.0.0.1", port)
    cwd = tempfile.mkdtemp()  # no secrets: the demo sign-in, allowed on loopback
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def _wait_ready(url: str, app: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.poll() is not None:
            raise RuntimeError(f"Streamlit exited with code {app.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("Streamlit did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_delays(emulator: Emulator, posts: int, idle_s: float = 20.0) -> bool:
    from playwright.sync_api import sync_playwright

    project = "demo-bench-live-delays"
    store = firestore_store(
        make_firestore_client(StoreSettings("firestore", project, emulator.host))
    )[0]
    for user in (ADA, KIM):
        store.users.save(user)
    service = TicketService(store)
    ticket = service.open_ticket(ADA, "Kettle leaks", "It leaks from the base.")
    service.set_assistant_active(service.access(KIM, ticket.id), False)  # people only
    port = free_port()
    log = Path(tempfile.mkdtemp()) / "streamlit.log"
    app = _app(emulator, project, port, log)
    url = f"http://127.0.0.1:{port}"
    delays: dict[str, list[float]] = {"agent -> customer": [], "customer -> agent": []}
    try:
        _wait_ready(url, app)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            pages = {}
            for user in (ADA, KIM):
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                page.set_default_timeout(90_000)
                page.goto(f"{url}/?demo_user={user.uid}&ticket={ticket.id}")
                page.get_by_text("It leaks from the base.").first.wait_for()
                pages[user.uid] = page
            pages[ADA.uid].wait_for_timeout(3_000)  # let both pages settle before measuring
            before, started = cpu_seconds(app.pid), time.monotonic()
            pages[ADA.uid].wait_for_timeout(idle_s * 1000)  # two idle pages polling
            busy = (cpu_seconds(app.pid) - before) / (time.monotonic() - started)
            for n in range(posts):
                author, reader = (KIM, ADA) if n % 2 == 0 else (ADA, KIM)
                text = f"Post {n + 1} from {author.display_name}"
                service.post(service.access(author, ticket.id), text)
                stored = time.monotonic()
                shown = pages[reader.uid].locator("[data-testid='stChatMessage']", has_text=text)
                shown.first.wait_for(timeout=30_000)
                key = "agent -> customer" if author is KIM else "customer -> agent"
                delays[key].append(time.monotonic() - stored)
            browser.close()
    finally:
        app.terminate()
        app.wait(timeout=20)
    every = [d for ds in delays.values() for d in ds]
    print(
        f"\nServer CPU with two idle pages open for {idle_s:g} s: {busy * 1000:.0f} ms per "
        f"second ({busy * 500:.0f} ms/s per open page: its polls' fragment reruns)"
    )
    print(f"Post-to-appearance in the app, {posts} posts (Streamlit + chromium + emulator):")
    for key, values in delays.items():
        print(
            f"  {key:<18} median {statistics.median(values):.2f} s, "
            f"longest {max(values):.2f} s over {len(values)} posts"
        )
    longest = max(every)
    ok = longest < DELAY_TARGET_S
    verdict = "met" if ok else "MISSED"
    print(f"  target: longest under {DELAY_TARGET_S:g} s -> {longest:.2f} s: {verdict}")
    return ok
