"""Where stored fields are sealed and opened: the same for every adapter.

Message text, memory summaries and pinned facts are encrypted when a cipher is configured;
everything queries need (ids, seq, roles, visibility, status, times) stays plain.
"""

from __future__ import annotations

from typing import Any, Protocol

from tickets.domain import Checkpoint, ConversationRef, Message


class Cipher(Protocol):
    def encrypt(self, plaintext: str, context: str) -> str: ...
    def decrypt(self, value: str, context: str) -> str: ...


def message_context(conv: ConversationRef, message_id: str) -> str:
    return f"tickets/{conv.key}/messages/{message_id}"


def memory_context(conv: ConversationRef) -> str:
    return f"tickets/{conv.key}#memory"


class Sealer:
    def __init__(self, cipher: Cipher | None = None) -> None:
        self.cipher = cipher

    def text(self, conv: ConversationRef, message_id: str, text: str) -> str:
        if self.cipher is None or not text:
            return text
        return self.cipher.encrypt(text, message_context(conv, message_id))

    def seal_message(self, conv: ConversationRef, data: dict[str, Any]) -> dict[str, Any]:
        return data | {"text": self.text(conv, data["id"], data.get("text", ""))}

    def open_message(self, conv: ConversationRef, data: dict[str, Any]) -> Message:
        if self.cipher is not None and data.get("text"):
            data = data | {
                "text": self.cipher.decrypt(data["text"], message_context(conv, data["id"]))
            }
        return Message.from_dict(data)

    def seal_checkpoint(self, conv: ConversationRef, checkpoint: Checkpoint) -> dict[str, Any]:
        data = checkpoint.to_dict()
        if self.cipher is None:
            return data
        context = memory_context(conv)
        data["summary"] = self.cipher.encrypt(checkpoint.summary, context)
        data["facts"] = [self.cipher.encrypt(fact, context) for fact in checkpoint.facts]
        return data

    def open_checkpoint(self, conv: ConversationRef, data: dict[str, Any]) -> Checkpoint:
        if self.cipher is not None:
            context = memory_context(conv)
            data = data | {
                "summary": self.cipher.decrypt(data.get("summary", ""), context),
                "facts": [self.cipher.decrypt(f, context) for f in data.get("facts", ())],
            }
        return Checkpoint.from_dict(data)
