"""Encryption at rest on both adapters: sealed on disk, bound to its document, rotatable."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest

from privacy.crypto import DecryptionFailed, FieldCipher, local_keyring, parse_keys
from privacy.rotation import rotate
from tests.support.factories import agent_says, customer_says, make_ticket
from tickets.domain import Checkpoint, ConversationRef, utcnow
from tickets.sealing import Sealer
from tickets.sqlite_store import SqliteStore
from tickets.store import TicketStore

K1 = base64.b64encode(b"1" * 32).decode()
K2 = base64.b64encode(b"2" * 32).decode()
SECRET = "My card ends 4242 and my email is ada@example.com"


def make(
    kind: str, keys: str, tmp_path: Path, request: pytest.FixtureRequest, project: Any = None
) -> TicketStore:
    sealer = Sealer(parse_keys(keys))
    if kind == "sqlite":
        return SqliteStore(tmp_path / "sealed.db", sealer)
    from config.firestore_client import make_firestore_client
    from config.settings import StoreSettings
    from tickets.firestore_store import FirestoreStore

    emulator = request.getfixturevalue("firestore_emulator")
    return FirestoreStore(
        make_firestore_client(StoreSettings(project, emulator.host)), sealer=sealer
    )


@pytest.fixture(params=["sqlite", "firestore"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def project() -> str:
    from tests.conftest import new_project_id

    return new_project_id()


def raw_message(store: TicketStore, conv: ConversationRef, message_id: str) -> dict[str, Any]:
    """What is actually stored, bypassing the adapter's decryption."""
    if isinstance(store, SqliteStore):
        row = store._db.execute(
            "SELECT data FROM messages WHERE conv_key = ? AND id = ?", (conv.key, message_id)
        ).fetchone()
        return dict(json.loads(row[0]))
    ref = store._messages(conv).document(message_id)  # type: ignore[attr-defined]
    return dict(ref.get().to_dict())


def write_raw_text(store: TicketStore, conv: ConversationRef, message_id: str, text: str) -> None:
    if isinstance(store, SqliteStore):
        data = raw_message(store, conv, message_id) | {"text": text}
        store._db.execute(
            "UPDATE messages SET data = ? WHERE conv_key = ? AND id = ?",
            (json.dumps(data), conv.key, message_id),
        )
    else:
        store._messages(conv).document(message_id).update({"text": text})  # type: ignore[attr-defined]


def test_text_is_sealed_at_rest_and_read_back(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, project: str
) -> None:
    store = make(kind, f"k1:{K1}", tmp_path, request, project)
    ticket = store.create_ticket(make_ticket(), customer_says(SECRET))
    conv = ConversationRef(ticket.id)
    [message] = store.newest_messages(conv, limit=1)
    assert message.text == SECRET
    raw = raw_message(store, conv, message.id)
    assert raw["text"].startswith("enc:v1:k1:") and "ada@example.com" not in json.dumps(
        raw, default=str
    )
    assert raw["seq"] == 1 and raw["visibility"] == "public"  # query fields stay plain
    done = store.finish_message(conv, message.id, text=SECRET + "!", status=message.status)
    assert done.text == SECRET + "!"
    assert raw_message(store, conv, message.id)["text"].startswith("enc:v1:")


def test_a_ciphertext_copied_to_another_ticket_fails(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, project: str
) -> None:
    store = make(kind, f"k1:{K1}", tmp_path, request, project)
    first = store.create_ticket(make_ticket(), customer_says(SECRET))
    other = store.create_ticket(make_ticket(), customer_says("harmless"))
    [source] = store.newest_messages(ConversationRef(first.id), limit=1)
    [target] = store.newest_messages(ConversationRef(other.id), limit=1)
    stolen = raw_message(store, ConversationRef(first.id), source.id)["text"]
    write_raw_text(store, ConversationRef(other.id), target.id, stolen)
    with pytest.raises(DecryptionFailed, match="does not belong"):
        store.newest_messages(ConversationRef(other.id), limit=1)


def test_checkpoints_are_sealed(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, project: str
) -> None:
    store = make(kind, f"k1:{K1}", tmp_path, request, project)
    ticket = store.create_ticket(make_ticket(), customer_says(SECRET))
    conv = ConversationRef(ticket.id)
    checkpoint = Checkpoint("Problem: card 4242", ("email: ada@example.com",), 1, 1, utcnow())
    assert store.save_checkpoint(conv, checkpoint, expected_version=0)
    assert store.conversation_state(conv).checkpoint == checkpoint
    if isinstance(store, SqliteStore):
        raw = store._db.execute(
            "SELECT checkpoint FROM conversations WHERE conv_key = ?", (conv.key,)
        ).fetchone()[0]
    else:
        snapshot = store._tickets().document(ticket.id).get()  # type: ignore[attr-defined]
        raw = json.dumps(snapshot.to_dict()["memory"], default=str)
    assert "ada@example.com" not in raw and "4242" not in raw


def test_rotation_re_encrypts_under_the_newest_key(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, project: str
) -> None:
    old = make(kind, f"k1:{K1}", tmp_path, request, project)
    ticket = old.create_ticket(make_ticket(), customer_says(SECRET))
    conv = ConversationRef(ticket.id)
    old.append_message(ConversationRef(ticket.id, "agent-1"), agent_says("copilot question"))
    old.save_checkpoint(conv, Checkpoint("s", ("f",), 1, 1, utcnow()), expected_version=0)
    both = make(kind, f"k2:{K2},k1:{K1}", tmp_path, request, project)
    report = rotate(both)
    assert (report.tickets, report.messages, report.checkpoints) == (1, 2, 1)
    [message] = both.newest_messages(conv, limit=1)
    assert raw_message(both, conv, message.id)["text"].startswith("enc:v1:k2:")
    only_new = make(kind, f"k2:{K2}", tmp_path, request, project)
    assert only_new.newest_messages(conv, limit=1)[0].text == SECRET
    assert only_new.conversation_state(conv).checkpoint is not None
    assert (
        only_new.newest_messages(ConversationRef(ticket.id, "agent-1"), limit=1)[0].text
        == "copilot question"
    )
    with pytest.raises(DecryptionFailed, match="unknown key id"):
        make(kind, f"k1:{K1}", tmp_path, request, project).newest_messages(conv, limit=1)


def test_local_key_file_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    cipher = local_keyring(path)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert local_keyring(path).decrypt(cipher.encrypt("x", "ctx"), "ctx") == "x"  # stable


def test_plaintext_written_before_encryption_still_reads() -> None:
    cipher = FieldCipher({"k1": b"1" * 32}, "k1")
    assert cipher.decrypt("plain old text", "ctx") == "plain old text"


def test_bad_key_configuration_is_explained() -> None:
    from tickets.errors import ConfigError

    with pytest.raises(ConfigError, match="32 bytes"):
        parse_keys("k1:" + base64.b64encode(b"short").decode())
    with pytest.raises(ConfigError, match="base64"):
        parse_keys("k1:not base64!")
