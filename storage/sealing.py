"""Where stored fields are sealed and opened: the same for every adapter.

When a cipher is configured, everything people wrote is encrypted: message text, memory
summaries and pinned facts, a ticket's subject, customer name and labels, a user's name and
e-mail. The search keys become keyed tokens (:meth:`Cipher.token`), so a query still matches
a word prefix without the word being stored. What queries, ordering and ``firestore.rules``
need stays plain: ids and uids, seq, roles, visibility, status, flags, counters and times.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from tickets.domain import Checkpoint, ConversationRef, Message, Ticket, User
from tickets.search import message_keys


class Cipher(Protocol):
    def encrypt(self, plaintext: str, context: str) -> str: ...
    def decrypt(self, value: str, context: str) -> str: ...
    def token(self, word: str) -> str: ...
    def encrypt_bytes(self, data: bytes, context: str) -> bytes: ...
    def decrypt_bytes(self, blob: bytes, context: str) -> bytes: ...


def message_context(conv: ConversationRef, message_id: str) -> str:
    return f"tickets/{conv.key}/messages/{message_id}"


def memory_context(conv: ConversationRef) -> str:
    return f"tickets/{conv.key}#memory"


def ticket_context(ticket_id: str) -> str:
    return f"tickets/{ticket_id}"


def user_context(uid: str) -> str:
    return f"users/{uid}"


def snippet_context(snippet_id: str) -> str:
    return f"snippets/{snippet_id}"


def rating_context(rating_id: str) -> str:
    return f"ratings/{rating_id}"


def csat_context(ticket_id: str) -> str:
    return f"csat/{ticket_id}"


SNIPPET_TEXT = ("title", "body")
TICKET_TEXT = ("subject", "customerName")  # sealed one by one; labels item by item
USER_TEXT = ("displayName", "email")


class Sealer:
    def __init__(self, cipher: Cipher | None = None) -> None:
        self.cipher = cipher

    def text(self, conv: ConversationRef, message_id: str, text: str) -> str:
        if self.cipher is None or not text:
            return text
        return self.cipher.encrypt(text, message_context(conv, message_id))

    def seal_message(self, conv: ConversationRef, data: dict[str, Any]) -> dict[str, Any]:
        """Text, file names and a rating's reason sealed; a shared thread's message also
        gets its search keys (tokens); a copilot thread is never indexed."""
        context = message_context(conv, data["id"])
        sealed = data | {"text": self.text(conv, data["id"], data.get("text", ""))}
        if data.get("attachments"):
            sealed["attachments"] = [
                a | {"name": self._seal(a.get("name"), context)} for a in data["attachments"]
            ]
        if data.get("rating"):
            rating = data["rating"]
            sealed["rating"] = rating | {"reason": self._seal(rating.get("reason"), context)}
        if not conv.is_copilot and data.get("text"):
            keys = message_keys(str(data["text"]))
            sealed["searchKeys"] = sorted({self.search_key(k) for k in keys})
        return sealed

    def open_message(self, conv: ConversationRef, data: dict[str, Any]) -> Message:
        if self.cipher is not None:
            context = message_context(conv, str(data.get("id")))
            opened = {"text": self._open(data.get("text"), context)}
            files = data.get("attachments")
            if isinstance(files, list):
                opened["attachments"] = [
                    a | {"name": self._open(a.get("name"), context)} if isinstance(a, dict) else a
                    for a in files
                ]
            rating = data.get("rating")
            if isinstance(rating, dict):
                opened["rating"] = rating | {"reason": self._open(rating.get("reason"), context)}
            data = data | opened
        return Message.from_dict(data)

    # -- files and helpdesk records --------------------------------------------------------

    def seal_bytes(self, path: str, data: bytes) -> bytes:
        return data if self.cipher is None else self.cipher.encrypt_bytes(data, path)

    def open_bytes(self, path: str, blob: bytes) -> bytes:
        return blob if self.cipher is None else self.cipher.decrypt_bytes(blob, path)

    def seal_fields(
        self, data: dict[str, Any], keys: Sequence[str], context: str
    ) -> dict[str, Any]:
        """A record's free text (a snippet's body, a CSAT comment) sealed under ``context``."""
        return data | {key: self._seal(data.get(key), context) for key in keys if key in data}

    def open_fields(
        self, data: dict[str, Any], keys: Sequence[str], context: str
    ) -> dict[str, Any]:
        return data | {key: self._open(data.get(key), context) for key in keys if key in data}

    def seal_checkpoint(self, conv: ConversationRef, checkpoint: Checkpoint) -> dict[str, Any]:
        data = checkpoint.to_dict()
        if self.cipher is None:
            return data
        context = memory_context(conv)
        data["summary"] = self.cipher.encrypt(checkpoint.summary, context)
        data["facts"] = [self.cipher.encrypt(fact, context) for fact in checkpoint.facts]
        return data

    # -- tickets and users -------------------------------------------------------------------

    def search_key(self, word: str) -> str:
        """What a stored ``searchKeys`` entry (and a query on it) holds for ``word``."""
        return word if self.cipher is None else self.cipher.token(word)

    def seal_ticket(self, data: dict[str, Any]) -> dict[str, Any]:
        """``Ticket.to_dict()`` as stored: text sealed, search keys as tokens."""
        if self.cipher is None:
            return data
        context = ticket_context(data["id"])
        sealed = {key: self._seal(data.get(key), context) for key in TICKET_TEXT}
        sealed["labels"] = [self._seal(label, context) for label in data.get("labels", ())]
        sealed["searchKeys"] = sorted({self.cipher.token(k) for k in data.get("searchKeys", ())})
        return data | sealed

    def open_ticket(self, data: dict[str, Any]) -> Ticket:
        if self.cipher is not None:
            context = ticket_context(str(data.get("id")))
            opened = {key: self._open(data.get(key), context) for key in TICKET_TEXT}
            labels = data.get("labels")
            if isinstance(labels, list):
                opened["labels"] = [self._open(label, context) for label in labels]
            data = data | opened
        return Ticket.from_dict(data)

    def seal_user(self, user: User) -> dict[str, Any]:
        data = user.to_dict()
        if self.cipher is None:
            return data
        context = user_context(user.uid)
        return data | {key: self._seal(data.get(key), context) for key in USER_TEXT}

    def open_user(self, data: dict[str, Any]) -> User:
        if self.cipher is not None:
            context = user_context(str(data.get("uid")))
            data = data | {key: self._open(data.get(key), context) for key in USER_TEXT}
        return User.from_dict(data)

    def _seal(self, value: Any, context: str) -> Any:
        if self.cipher is None or not isinstance(value, str) or not value:
            return value
        return self.cipher.encrypt(value, context)

    def _open(self, value: Any, context: str) -> Any:
        """A wrong type is left for ``from_dict`` to refuse (a malformed document)."""
        if self.cipher is None or not isinstance(value, str) or not value:
            return value
        return self.cipher.decrypt(value, context)

    def open_checkpoint(self, conv: ConversationRef, data: dict[str, Any]) -> Checkpoint:
        if self.cipher is not None:
            context = memory_context(conv)
            data = data | {
                "summary": self.cipher.decrypt(data.get("summary", ""), context),
                "facts": [self.cipher.decrypt(f, context) for f in data.get("facts", ())],
            }
        return Checkpoint.from_dict(data)
