"""Who may see and do what. The service layer calls these on every request.

``firestore.rules`` states the same policy for direct client access; keep the two in step.
"""

from __future__ import annotations

from tickets.domain import Ticket, User
from tickets.errors import AccessDenied, TicketNotFound


def can_view(user: User, ticket: Ticket) -> bool:
    """Agents work the whole queue; a customer sees only their own tickets."""
    if user.disabled:
        return False
    return user.is_agent or ticket.customer_uid == user.uid


def require_view(user: User, ticket_id: str, ticket: Ticket | None) -> Ticket:
    """A ticket the caller may not see gets the same answer as a missing one."""
    if ticket is None or not can_view(user, ticket):
        raise TicketNotFound(ticket_id)
    return ticket


def sees_internal_notes(user: User) -> bool:
    return user.is_agent


def require_agent(user: User, action: str) -> None:
    if not user.is_agent:
        raise AccessDenied(f"Only support agents can {action}.")


def require_supervisor(user: User, action: str) -> None:
    if not user.is_supervisor:
        raise AccessDenied(f"Only supervisors can {action}.")
