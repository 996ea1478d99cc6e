"""Shared fixtures: the Firestore emulator (started once per session, only for tests marked
``firestore`` or ``e2e``), stores on every backend, and the test users.

Tiers: ``pytest -m "not firestore and not e2e and not localmodel"`` is the fast offline tier;
it starts no Java (every test that asks for the emulator is marked ``firestore``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.firestore.client import make_firestore_client
from storage.settings import StoreSettings
from tests.support.emulator import Emulator, EmulatorUnavailable, start_emulator
from tests.support.gcs import StorageEmulator, StorageEmulatorUnavailable, start_storage_emulator
from tests.support.stores import open_firestore, open_sqlite
from tests.support.users import EVERYONE
from tickets.store import Store

ROOT = Path(__file__).resolve().parent.parent
EMULATOR_MARKS = {"firestore", "e2e"}
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("firestore", id="firestore", marks=pytest.mark.firestore),
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the emulator is a Firestore test, whatever its file says."""
    for item in items:
        if "firestore_emulator" in getattr(item, "fixturenames", ()) and not (
            EMULATOR_MARKS & {m.name for m in item.iter_markers()}
        ):
            item.add_marker(pytest.mark.firestore)


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


@pytest.fixture(scope="session")
def storage_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StorageEmulator]:
    """A local Cloud Storage server (attachments on Firestore). Fails (never skips)."""
    try:
        emulator = start_storage_emulator(tmp_path_factory.mktemp("storage"))
    except StorageEmulatorUnavailable as exc:
        pytest.fail(f"Cloud Storage emulator unavailable: {exc}", pytrace=False)
    yield emulator
    emulator.stop()


@pytest.fixture
def bucket(storage_emulator: StorageEmulator) -> Any:
    """A fresh bucket on the local Cloud Storage server."""
    return storage_emulator.bucket()


def new_project_id() -> str:
    """Each test gets its own emulator project: complete isolation, no reset needed."""
    return f"demo-t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def firestore_client(firestore_emulator: Emulator):  # type: ignore[no-untyped-def]
    settings = StoreSettings(
        backend="firestore", project=new_project_id(), emulator_host=firestore_emulator.host
    )
    client = make_firestore_client(settings)
    yield client
    client.close()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every contract test runs against every backend."""
    if request.param == "sqlite":
        with open_sqlite(tmp_path) as sqlite:
            yield sqlite
    else:
        client = request.getfixturevalue("firestore_client")
        with open_firestore(client, bucket=request.getfixturevalue("bucket")) as firestore:
            yield firestore


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Store]:
    """The embedded store alone (for tests about the app rather than about storage)."""
    with open_sqlite(tmp_path) as store:
        yield store


@pytest.fixture
def people(store: Store) -> Store:
    """``store`` with the test users saved."""
    for user in EVERYONE:
        store.users.save(user)
    return store
