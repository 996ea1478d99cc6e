"""Shared fixtures: the Firestore emulator (started once per session) and stores."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.firestore_client import make_firestore_client
from config.settings import StoreSettings
from tests.support.emulator import Emulator, EmulatorUnavailable, start_emulator
from tickets.sqlite_store import SqliteStore
from tickets.store import TicketStore

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def firestore_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """The official emulator on a free loopback port. Fails (never skips) when it can't start."""
    try:
        emulator = start_emulator(
            tmp_path_factory.mktemp("emulator"), rules=ROOT / "firestore.rules"
        )
    except EmulatorUnavailable as exc:
        pytest.fail(f"Cloud Firestore emulator unavailable: {exc}", pytrace=False)
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host
    yield emulator
    emulator.stop()


def new_project_id() -> str:
    """Each test gets its own emulator project: complete isolation, no reset needed."""
    return f"demo-t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def firestore_client(firestore_emulator: Emulator):  # type: ignore[no-untyped-def]
    store = StoreSettings(project=new_project_id(), emulator_host=firestore_emulator.host)
    client = make_firestore_client(store)
    yield client
    client.close()


@pytest.fixture(params=["sqlite", "firestore"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TicketStore]:
    """Every contract test runs against both adapters."""
    if request.param == "sqlite":
        sqlite = SqliteStore(tmp_path / "tickets.db")
        yield sqlite
        sqlite.close()
    else:
        from tickets.firestore_store import FirestoreStore

        client = request.getfixturevalue("firestore_client")
        yield FirestoreStore(client)
