"""Encryption at rest on both adapters: sealed on disk, bound to its document, rotatable."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from common.errors import ConfigError
from ops.rotation import rotate
from privacy.crypto import DecryptionFailed, FieldCipher, local_keyring, parse_keys
from storage.firestore import firestore_store
from storage.firestore.client import make_firestore_client
from storage.sealing import Sealer
from storage.settings import StoreSettings
from storage.sqlite import sqlite_store
from tests.support.factories import (
    agent_says,
    created,
    customer_says,
    make_ticket,
    save_checkpoint,
)
from tickets.domain import Checkpoint, ConversationRef, utcnow
from tickets.store import Store

K1 = base64.b64encode(b"1" * 32).decode()
K2 = base64.b64encode(b"2" * 32).decode()
SECRET = "My card ends 4242 and my email is ada@example.com"


def make(
    kind: str, keys: str, tmp_path: Path, request: pytest.FixtureRequest, project: Any = None
) -> Store:
    sealer = Sealer(parse_keys(keys))
    if kind == "sqlite":
        return sqlite_store(tmp_path / "sealed.db", sealer)
    emulator = request.getfixturevalue("firestore_emulator")
    settings = StoreSettings("firestore", project=project, emulator_host=emulator.host)
    return firestore_store(make_firestore_client(settings), sealer)[0]


def _sql(store: Store) -> Any:
    """The SQLite connection under a store (``None`` for Firestore)."""
    return store.threads.db._db if store.backend == "sqlite" else None  # type: ignore[attr-defined]


def _firestore(store: Store) -> Any:
    return store.threads.db  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def project() -> str:
    from tests.conftest import new_project_id

    return new_project_id()


def raw_message(store: Store, conv: ConversationRef, message_id: str) -> dict[str, Any]:
    """What is actually stored, bypassing the adapter's decryption."""
    if _sql(store) is not None:
        row = (
            _sql(store)
            .execute(
                "SELECT data FROM messages WHERE conv_key = ? AND id = ?", (conv.key, message_id)
            )
            .fetchone()
        )
        return dict(json.loads(row[0]))
    ref = _firestore(store).messages(conv).document(message_id)
    return dict(ref.get().to_dict())


def write_raw_text(store: Store, conv: ConversationRef, message_id: str, text: str) -> None:
    if _sql(store) is not None:
        data = raw_message(store, conv, message_id) | {"text": text}
        _sql(store).execute(
            "UPDATE messages SET data = ? WHERE conv_key = ? AND id = ?",
            (json.dumps(data), conv.key, message_id),
        )
    else:
        _firestore(store).messages(conv).document(message_id).update({"text": text})


def test_text_is_sealed_at_rest_and_read_back(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, project: str
) -> None:
    store = make(kind, f"k1:{K1}", tmp_path, request, project)
    ticket = created(store, make_ticket(), customer_says(SECRET))
    conv = ConversationRef(ticket.id)
    [message] = store.threads.newest(conv, limit=1)
    assert message.text == SECRET
    raw = raw_message(store, conv, message.id)
    assert raw["text"].startswith("enc:v1:k1:") and "ada@example.com" not in json.dumps(
        raw, default=str
    )
    assert raw["seq"] == 1 and raw["visibility"] == "public"  # query fields stay plain
    done = store.threads.revise(conv, message.id, lambda m: replace(m, text=SECRET + "!"))
    assert done is not None and done.text == SECRET + "!"
    assert raw_message(store, conv, message.id)["text"].startswith("enc:v1:")


def test_a_ciphertext_copied_to_another_ticket_fails(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, project: str
) -> None:
    store = make(kind, f"k1:{K1}", tmp_path, request, project)
    first = created(store, make_ticket(), customer_says(SECRET))
    other = created(store, make_ticket(), customer_says("harmless"))
    [source] = store.threads.newest(ConversationRef(first.id), limit=1)
    [target] = store.threads.newest(ConversationRef(other.id), limit=1)
    stolen = raw_message(store, ConversationRef(first.id), source.id)["text"]
    write_raw_text(store, ConversationRef(other.id), target.id, stolen)
    with pytest.raises(DecryptionFailed, match="does not belong"):
        store.threads.get(ConversationRef(other.id), target.id)
    # a listing leaves the foreign value out instead of failing the page for everyone
    assert store.threads.newest(ConversationRef(other.id), limit=5) == []


def test_checkpoints_are_sealed(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, project: str
) -> None:
    store = make(kind, f"k1:{K1}", tmp_path, request, project)
    ticket = created(store, make_ticket(), customer_says(SECRET))
    conv = ConversationRef(ticket.id)
    checkpoint = Checkpoint("Problem: card 4242", ("email: ada@example.com",), 1, 1, utcnow())
    assert save_checkpoint(store, conv, checkpoint, 0)
    assert store.checkpoints.get(conv) == checkpoint
    if _sql(store) is not None:
        raw = (
            _sql(store)
            .execute("SELECT data FROM checkpoints WHERE conv_key = ?", (conv.key,))
            .fetchone()[0]
        )
    else:
        snapshot = _firestore(store).checkpoint(conv).get()
        raw = json.dumps(snapshot.to_dict(), default=str)
    assert "ada@example.com" not in raw and "4242" not in raw


def test_rotation_re_encrypts_under_the_newest_key(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, project: str
) -> None:
    old = make(kind, f"k1:{K1}", tmp_path, request, project)
    ticket = created(old, make_ticket(), customer_says(SECRET))
    conv = ConversationRef(ticket.id)
    old.threads.append(ConversationRef(ticket.id, "agent-1"), agent_says("copilot question"))
    save_checkpoint(old, conv, Checkpoint("s", ("f",), 1, 1, utcnow()), 0)
    both = make(kind, f"k2:{K2},k1:{K1}", tmp_path, request, project)
    report = rotate(both)
    assert (report.tickets, report.messages, report.checkpoints) == (1, 2, 1)
    [message] = both.threads.newest(conv, limit=1)
    assert raw_message(both, conv, message.id)["text"].startswith("enc:v1:k2:")
    only_new = make(kind, f"k2:{K2}", tmp_path, request, project)
    assert only_new.threads.newest(conv, limit=1)[0].text == SECRET
    assert only_new.checkpoints.get(conv) is not None
    copilot = only_new.threads.newest(ConversationRef(ticket.id, "agent-1"), limit=1)
    assert copilot[0].text == "copilot question"
    with pytest.raises(DecryptionFailed, match="unknown key id"):  # a configuration error
        make(kind, f"k1:{K1}", tmp_path, request, project).threads.newest(conv, limit=1)


def test_local_key_file_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    cipher = local_keyring(path)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert local_keyring(path).decrypt(cipher.encrypt("x", "ctx"), "ctx") == "x"  # stable


def test_plaintext_written_before_encryption_still_reads() -> None:
    cipher = FieldCipher({"k1": b"1" * 32}, "k1")
    assert cipher.decrypt("plain old text", "ctx") == "plain old text"


def test_bad_key_configuration_is_explained() -> None:
    with pytest.raises(ConfigError, match="32 bytes"):
        parse_keys("k1:" + base64.b64encode(b"short").decode())
    with pytest.raises(ConfigError, match="base64"):
        parse_keys("k1:not base64!")
