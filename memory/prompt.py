"""Prompt assembly: the system prompt and ticket facts rebuilt every turn, then the memory
(summary and pinned facts), then the newest messages verbatim."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from tickets.domain import AuthorRole, Checkpoint, Message

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str

    def as_openai(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


Renderer = Callable[[Message], ChatMessage]


@dataclass(frozen=True)
class PromptContext:
    """What is rebuilt every turn and never summarized away."""

    system_prompt: str
    ticket_facts: str
    render: Renderer


def render_for_customer_thread(message: Message) -> ChatMessage:
    """The customer-facing assistant: customers are the user, everyone on our side speaks as
    the assistant, with agents and notices labelled so the model knows who said what."""
    if message.author_role is AuthorRole.CUSTOMER:
        return ChatMessage("user", message.text)
    if message.author_role is AuthorRole.AGENT:
        return ChatMessage("assistant", f"[Support agent] {message.text}")
    if message.author_role is AuthorRole.SYSTEM:
        return ChatMessage("assistant", f"[Notice] {message.text}")
    return ChatMessage("assistant", message.text)


def render_for_copilot(message: Message) -> ChatMessage:
    """An agent's copilot thread: the agent is the user."""
    role: Role = "assistant" if message.author_role is AuthorRole.ASSISTANT else "user"
    return ChatMessage(role, message.text)


def memory_block(checkpoint: Checkpoint | None, facts: Sequence[str]) -> str:
    if checkpoint is None or not (checkpoint.summary or facts):
        return ""
    parts = [
        f"## Earlier in this conversation (messages 1-{checkpoint.covered_seq}, summarized)",
        checkpoint.summary.strip(),
    ]
    if facts:
        parts += ["", "## Pinned facts (verbatim from earlier messages)"]
        parts += [f"- {fact}" for fact in facts]
    return "\n".join(parts)


def system_message(context: PromptContext, memory: str) -> ChatMessage:
    sections = [context.system_prompt.strip(), "## This ticket", context.ticket_facts.strip()]
    if memory:
        sections.append(memory)
    return ChatMessage("system", "\n\n".join(sections))
