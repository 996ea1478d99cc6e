"""Model errors, each with a message a customer or agent can act on."""

from __future__ import annotations

from tickets.errors import TicketError


class ModelError(TicketError):
    """The model call failed. The user's message is already stored; a retry resends."""

    code = "model"
    retryable = True


class ModelBusy(ModelError):
    code = "model_busy"

    def __init__(self, retry_after: float | None = None) -> None:
        wait = f" (the provider asked to wait {retry_after:.0f} s)" if retry_after else ""
        super().__init__(
            f"The assistant is busy right now{wait}. Your message is saved; "
            "try again in a minute, or ask for a person."
        )
        self.retry_after = retry_after


class ModelTimeout(ModelError):
    code = "model_timeout"

    def __init__(self) -> None:
        super().__init__(
            "The assistant took too long to answer. Your message is saved; press Retry."
        )


class ModelUnavailable(ModelError):
    code = "model_unavailable"

    def __init__(self, detail: str = "") -> None:
        suffix = f" ({detail})" if detail else ""
        super().__init__(
            "The assistant is not reachable right now. Your message is saved; press Retry "
            f"in a moment.{suffix}"
        )


class ModelAuthError(ModelError):
    code = "model_auth"
    retryable = False

    def __init__(self) -> None:
        super().__init__(
            "The assistant is not configured correctly (the model provider refused the API "
            "key). An operator must check OPENAI_API_KEY. Your message is saved."
        )


class ContextTooLong(ModelError):
    code = "context_too_long"
    retryable = False

    def __init__(self) -> None:
        super().__init__(
            "The conversation is too long for the model's context window. An operator should "
            "lower MEMORY_BUDGET_TOKENS or use a model with a larger context. Your message "
            "is saved."
        )
