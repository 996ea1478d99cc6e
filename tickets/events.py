"""System events: what happened to a ticket, recorded in its thread as small notices.

Each event is written for the people it concerns. What the customer should know (resolved,
reopened, waiting for their reply, a person taking over from the assistant or handing back)
is public, in words addressed to them; the rest (who assigned whom, an agent waiting on
another agent) is an internal note. Agents see both.
"""

from __future__ import annotations

from dataclasses import dataclass

from tickets.domain import Status, Visibility

PUBLIC_STATUS = {
    Status.RESOLVED: "Your ticket was resolved. Reply to reopen it.",
    Status.OPEN: "Your ticket was reopened.",
    Status.WAITING_ON_CUSTOMER: "We are waiting for your reply.",
}
ASSISTANT_OFF = (
    "A support agent is handling your ticket now; the AI assistant has stopped answering."
)
ASSISTANT_ON = "The AI assistant is answering again; a support agent can still join at any time."


@dataclass(frozen=True)
class Event:
    text: str
    visibility: Visibility = Visibility.PUBLIC


def status_changed(status: Status, actor: str) -> Event:
    public = PUBLIC_STATUS.get(status)
    if public is not None:
        return Event(public)
    return Event(f"{actor} set the status to {status.label}.", Visibility.INTERNAL)


def reopened_by_reply(status: Status) -> Event:
    return Event(
        f"The customer replied, so the ticket is active again ({status.label}).",
        Visibility.INTERNAL,
    )


def assigned(actor_uid: str, actor: str, assignee_uid: str | None, assignee: str) -> Event:
    if assignee_uid is None:
        text = f"{actor} unassigned this ticket."
    elif assignee_uid == actor_uid:
        text = f"{actor} took this ticket."
    else:
        text = f"{actor} assigned this ticket to {assignee}."
    return Event(text, Visibility.INTERNAL)


def assistant_switched(active: bool) -> Event:
    return Event(ASSISTANT_ON if active else ASSISTANT_OFF)
