"""No reply is ever stuck: a process killed mid-reply, and the database connection cut
mid-stream, each leave a reply that shows as failed once its writer has gone silent, keeps
what was streamed, is retried in place, and does not stop the memory from folding past it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from assistant.pipeline import NOT_SAVED
from assistant.settings import ModelSettings
from config.bootstrap import Services, build_services
from config.settings import Settings
from memory.settings import MemorySettings
from memory.tokens import CharCounter
from storage.firestore import firestore_store
from storage.firestore.client import make_firestore_client
from storage.settings import StoreSettings
from tests.conftest import ROOT, new_project_id
from tests.support.emulator import Emulator
from tests.support.fake_openai import FakeOpenAIServer, slow
from tests.support.fakes import FakeModel
from tests.support.tcp_proxy import TcpProxy
from tests.support.users import ADA
from tickets.domain import (
    STALLED_REPLY,
    AuthorRole,
    ConversationRef,
    Message,
    MessageStatus,
    utcnow,
)
from tickets.store import Store

STALL_S = 5.0
LONG_REPLY = " ".join(f"word{n}" for n in range(60))
CHILD = textwrap.dedent(
    """
    import sys
    from config.bootstrap import build_services
    from config.settings import load_settings

    services = build_services(load_settings())
    access = services.tickets.access(services.tickets.current_user("cust-ada"), sys.argv[1])
    run = services.assistant.reply(access)
    for chunk in run:
        print(chunk, end="", flush=True)
    """
)


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def model_server() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    yield server
    server.stop()


def settings_for(store: StoreSettings, **model: object) -> Settings:
    memory = MemorySettings(
        budget_tokens=1200,
        compact_trigger_tokens=150,
        keep_recent_tokens=40,
        summary_max_tokens=300,
    )
    return replace(
        Settings(),
        store=store,
        memory=memory,
        model=replace(ModelSettings(stall_timeout_s=STALL_S), **model),  # type: ignore[arg-type]
    )


def the_reply(store: Store, ticket_id: str) -> Message | None:
    found = store.threads.newest(ConversationRef(ticket_id), limit=5)
    return next((m for m in found if m.author_role is AuthorRole.ASSISTANT), None)


def wait_for(
    check: Callable[[], object], child: subprocess.Popen[bytes], timeout: float = 90
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            _, err = child.communicate(timeout=10)
            raise AssertionError(
                f"the replying process never saved any text: {err.decode()[-2000:]}"
            )
        time.sleep(0.1)


def assert_recovers(services: Services, clock: Clock, ticket_id: str) -> None:
    """Later: shown as failed with what was streamed, retried in place, folded past."""
    on_ticket = services.tickets.access(ADA, ticket_id)
    stuck = next(
        m for m in services.tickets.thread(on_ticket).messages if m.author_role.value == "assistant"
    )
    assert stuck.status is MessageStatus.PENDING  # its writer may still be alive
    clock.now = utcnow() + timedelta(seconds=STALL_S + 1)  # ...until it has been silent a while
    shown = next(m for m in services.tickets.thread(on_ticket).messages if m.id == stuck.id)
    assert shown.status is MessageStatus.FAILED and shown.error == STALLED_REPLY
    assert shown.text and LONG_REPLY.startswith(shown.text)  # what was streamed and saved
    for n in range(12):  # the conversation goes on past the stuck reply
        services.tickets.post(on_ticket, f"still waiting, message {n} with some detail")
    memory = services.assistant.memory_for(ticket_id)
    memory.maintain(ConversationRef(ticket_id))
    checkpoint = services.store.checkpoints.get(ConversationRef(ticket_id))
    assert checkpoint is not None and checkpoint.covered_seq > stuck.seq  # folded past it
    run = services.assistant.retry(on_ticket, stuck.id)
    assert run is not None and "".join(run)
    assert run.message is not None and run.message.status is MessageStatus.COMPLETE
    assert run.message.seq == stuck.seq


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)]
)
def test_a_process_killed_mid_reply_leaves_a_reply_that_can_be_retried(
    backend: str, tmp_path: Path, model_server: FakeOpenAIServer, request: pytest.FixtureRequest
) -> None:
    firestore_vars = ("FIRESTORE_EMULATOR_HOST", "GOOGLE_CLOUD_PROJECT", "FIRESTORE_PROJECT")
    env = {k: v for k, v in os.environ.items() if k not in firestore_vars} | {
        "TICKETS_DATA_DIR": str(tmp_path),
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": model_server.base_url,
        "OPENAI_MODEL": "fake",
        "MODEL_HEARTBEAT_S": "0.2",
        "MODEL_STALL_TIMEOUT_S": str(STALL_S),
        "SEED_DEMO": "false",
    }
    store_settings = StoreSettings(data_dir=tmp_path)
    if backend == "firestore":
        emulator: Emulator = request.getfixturevalue("firestore_emulator")
        project = new_project_id()
        env |= {
            "TICKETS_STORE": "firestore",
            "FIRESTORE_EMULATOR_HOST": emulator.host,
            "GOOGLE_CLOUD_PROJECT": project,
        }
        store_settings = StoreSettings("firestore", project=project, emulator_host=emulator.host)
    clock = Clock()
    services = build_services(
        settings_for(store_settings),
        model=FakeModel(),
        counter=CharCounter(),
        run_later=lambda job: job(),
        clock=clock,
    )
    services.store.users.save(ADA)
    ticket = services.tickets.open_ticket(ADA, "Kettle", "It leaks: what now?")
    model_server.push(slow(LONG_REPLY, chunk_delay_s=0.1))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, ticket.id],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:  # kill it once some of the reply has been saved by a heartbeat
        wait_for(lambda: (r := the_reply(services.store, ticket.id)) is not None and r.text, child)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert_recovers(services, clock, ticket.id)


@pytest.mark.firestore
def test_a_connection_cut_mid_stream_leaves_a_reply_that_can_be_retried(
    firestore_emulator: Emulator, model_server: FakeOpenAIServer
) -> None:
    project = new_project_id()
    proxy = TcpProxy(firestore_emulator.host)
    try:
        through_proxy = StoreSettings(
            "firestore", project=project, emulator_host=proxy.address, call_deadline_s=2
        )
        clock = Clock()
        settings = settings_for(
            through_proxy,
            api_key="sk-test",
            base_url=model_server.base_url,
            model="fake",
            heartbeat_s=0.2,
        )
        cut_off = build_services(
            settings,
            store=firestore_store(make_firestore_client(through_proxy), deadline_s=2)[0],
            counter=CharCounter(),
            run_later=lambda job: job(),
            clock=clock,
        )
        cut_off.store.users.save(ADA)
        ticket = cut_off.tickets.open_ticket(ADA, "Kettle", "It leaks: what now?")
        model_server.push(slow(LONG_REPLY, chunk_delay_s=0.05))
        run = cut_off.assistant.reply(cut_off.tickets.access(ADA, ticket.id))
        assert run is not None
        direct = StoreSettings("firestore", project=project, emulator_host=firestore_emulator.host)
        healthy = build_services(
            settings_for(direct),
            store=firestore_store(make_firestore_client(direct))[0],
            model=FakeModel(),
            counter=CharCounter(),
            run_later=lambda job: job(),
            clock=clock,
        )
        shown, cut = "", False
        for chunk in run:
            shown += chunk
            reply = the_reply(healthy.store, ticket.id)
            if not cut and reply is not None and reply.text:
                proxy.down()  # the database goes away mid-stream, once some text was saved
                cut = True
        assert shown == LONG_REPLY  # the person still saw the whole reply
        assert run.message is None and run.error == NOT_SAVED  # and is told it was not saved
        assert_recovers(healthy, clock, ticket.id)
    finally:
        proxy.down()
