"""Field-level encryption at rest: AES-256-GCM, the document path as associated data, and a
key id stored with every value so keys can rotate. Search uses keyed tokens instead of words:
an HMAC-SHA256 of a normalized word prefix, under a key derived (HKDF) from the current key.

A sealed value reads ``enc:v1:<key id>:<base64(nonce + ciphertext)>``. A ciphertext copied to
another document (another ticket, another message) fails to decrypt, because its path is
part of the authenticated data. Values without the prefix are plaintext (written before
encryption was turned on) and are returned as they are.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from common.errors import AppError, ConfigError

PREFIX = "enc:v1:"
BYTES_PREFIX = b"enc:b1:"  # sealed file bytes: prefix, key id, ":", nonce + ciphertext
SEARCH_PREFIX = "tok:"
_TOKEN_INFO = b"ticket-assistant/search-token/v1"


class DecryptionFailed(AppError):
    code = "decrypt"

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"A stored value could not be decrypted ({detail}). Check TICKETS_ENCRYPTION_KEYS: "
            "every key id still in use must be configured."
        )


class ForeignValue(DecryptionFailed):
    """A sealed value that is not this document's: copied, forged or damaged."""

    one_document = True

    def __init__(self) -> None:
        super().__init__("the value does not belong to this document")


class FieldCipher:
    """Encrypts with the current (first) key; decrypts with any configured key."""

    def __init__(self, keys: Mapping[str, bytes], current: str) -> None:
        if current not in keys:
            raise ConfigError(f"The current encryption key {current!r} is not configured.")
        for key_id, key in keys.items():
            if len(key) != 32 or ":" in key_id or not key_id:
                raise ConfigError(
                    f"Encryption key {key_id!r} must be 32 bytes (base64) with an id without ':'."
                )
        self._aead = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.current = current
        # a key of its own for search tokens, never the encryption key itself
        self._token_key = HKDF(hashes.SHA256(), 32, None, _TOKEN_INFO).derive(keys[current])

    def token(self, word: str) -> str:
        """A keyed, deterministic token for a normalized search word or prefix: equal words
        give equal tokens (so an index can match them); the word can't be read back."""
        digest = hmac.new(self._token_key, word.encode(), hashlib.sha256).digest()[:15]
        return SEARCH_PREFIX + base64.urlsafe_b64encode(digest).decode()

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead[self.current].encrypt(nonce, plaintext.encode(), context.encode())
        return f"{PREFIX}{self.current}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, value: str, context: str) -> str:
        if not value.startswith(PREFIX):
            return value
        key_id, _, blob = value[len(PREFIX) :].partition(":")
        aead = self._aead.get(key_id)
        if aead is None:
            raise DecryptionFailed(f"unknown key id {key_id!r}")
        try:
            raw = base64.b64decode(blob, validate=True)
        except ValueError as exc:
            raise ForeignValue() from exc
        try:
            return aead.decrypt(raw[:12], raw[12:], context.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise ForeignValue() from exc

    def encrypt_bytes(self, data: bytes, context: str) -> bytes:
        """File bytes (an attachment), with the object path as associated data."""
        nonce = os.urandom(12)
        sealed = self._aead[self.current].encrypt(nonce, data, context.encode())
        return BYTES_PREFIX + self.current.encode() + b":" + nonce + sealed

    def decrypt_bytes(self, blob: bytes, context: str) -> bytes:
        """Bytes without the prefix were stored before encryption was turned on."""
        if not blob.startswith(BYTES_PREFIX):
            return blob
        key_id, sep, raw = blob[len(BYTES_PREFIX) :].partition(b":")
        aead = self._aead.get(key_id.decode(errors="replace"))
        if not sep or aead is None:
            raise DecryptionFailed(f"unknown key id {key_id[:20]!r}")
        try:
            return aead.decrypt(raw[:12], raw[12:], context.encode())
        except (InvalidTag, ValueError) as exc:
            raise ForeignValue() from exc

    @staticmethod
    def key_id_of(value: str) -> str | None:
        if not value.startswith(PREFIX):
            return None
        return value[len(PREFIX) :].partition(":")[0]


def parse_keys(spec: str) -> FieldCipher:
    """``TICKETS_ENCRYPTION_KEYS="k2:BASE64,k1:BASE64"``: the first key encrypts new values."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key_id, _, encoded = item.partition(":")
        try:
            keys[key_id] = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise ConfigError(f"Encryption key {key_id!r} is not valid base64.") from exc
        order.append(key_id)
    if not order:
        raise ConfigError("TICKETS_ENCRYPTION_KEYS is set but holds no key.")
    return FieldCipher(keys, order[0])


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def local_keyring(path: Path) -> FieldCipher:
    """The embedded default: a key file created on first use, readable by its owner only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key_id = f"local-{secrets.token_hex(4)}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump({"current": key_id, "keys": {key_id: new_key()}}, fh)
    data = json.loads(path.read_text())
    keys = {key_id: base64.b64decode(value) for key_id, value in data["keys"].items()}
    return FieldCipher(keys, data["current"])
