"""The ticket errors. Every message tells the user what happened and what to do next."""

from __future__ import annotations

from common.errors import AppError


class TicketError(AppError):
    """Base of every error the ticket use cases and their stores raise on purpose."""


class InvalidInput(TicketError):
    """The request itself is wrong: bad id, empty or oversized text, unknown value."""

    code = "invalid"


class InvalidId(InvalidInput):
    code = "invalid_id"

    def __init__(self, kind: str, value: object) -> None:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        super().__init__(
            f"{shown} is not a valid {kind} id: use 1-64 letters, digits, '-' or '_', "
            "starting with a letter or digit."
        )
        self.kind = kind


class TicketNotFound(TicketError):
    """Raised for a missing ticket and for a ticket the caller may not see (same answer)."""

    code = "not_found"

    def __init__(self, ticket_id: str) -> None:
        super().__init__(
            f"Ticket {ticket_id} was not found. Check the id or pick it from your list."
        )
        self.ticket_id = ticket_id


class MessageNotFound(TicketError):
    code = "not_found"

    def __init__(self, message_id: str) -> None:
        super().__init__(f"Message {message_id} was not found.")
        self.message_id = message_id


class AccessDenied(TicketError):
    """The caller is known and may see the ticket, but may not perform this action."""

    code = "forbidden"


class NotSignedIn(AccessDenied):
    code = "unauthenticated"

    def __init__(self) -> None:
        super().__init__("You are signed out or your account is disabled. Sign in again.")


class Conflict(TicketError):
    """The request clashes with what is stored (a reused id, a changed resend)."""

    code = "conflict"


class StoreUnavailable(TicketError):
    """The database could not be reached; the request can be retried as is."""

    code = "unavailable"

    def __init__(self, detail: str = "") -> None:
        suffix = f" ({detail})" if detail else ""
        super().__init__(
            "The ticket database is not reachable right now. What you typed is kept here; "
            f"send it again in a moment.{suffix}"
        )


class StoreBusy(StoreUnavailable):
    """The database is reachable but too many writes hit one ticket at once."""

    code = "busy"

    def __init__(self, detail: str = "") -> None:
        TicketError.__init__(
            self,
            "Many changes are being made to this ticket at the same moment, so yours did not "
            "go through yet. What you typed is kept here; send it again."
            + (f" ({detail})" if detail else ""),
        )


class AttachmentNotFound(TicketError):
    """A file that is missing, or on a message the caller may not see (same answer)."""

    code = "not_found"

    def __init__(self) -> None:
        super().__init__("That file was not found. Reload the ticket and try again.")


class AttachmentsUnavailable(InvalidInput):
    """A deployment with nowhere to keep files (Firestore without a bucket)."""

    code = "no_files"

    def __init__(self) -> None:
        super().__init__(
            "Attachments are not set up here (the operator must set TICKETS_BUCKET, a Cloud "
            "Storage bucket). Send your message without files."
        )
