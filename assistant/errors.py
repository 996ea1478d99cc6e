"""Model and budget errors, each with a message a customer or agent can act on."""

from __future__ import annotations

from datetime import datetime, timedelta

from common.errors import AppError
from tickets.domain import utcnow


class BudgetExceeded(AppError):
    """A token budget is used up: no model call is made, a human takes over."""

    code = "budget"


class ModelError(AppError):
    """The model call failed. The user's message is already stored; a retry resends."""

    code = "model"
    retryable = True
    retry_at: datetime | None = None  # a retry makes sense only from then on


def _wait_words(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} seconds"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"


class ModelBusy(ModelError):
    code = "model_busy"

    def __init__(self, retry_after: float | None = None, now: datetime | None = None) -> None:
        self.retry_after = retry_after
        if retry_after is None:
            message = (
                "The assistant is busy right now. Your message is saved; press Retry in a "
                "moment, or ask for a person."
            )
        else:
            self.retry_at = (now or utcnow()) + timedelta(seconds=retry_after)
            message = (
                f"The assistant is busy: the provider asked us to wait "
                f"{_wait_words(retry_after)}. Your message is saved; Retry works again after "
                f"{self.retry_at:%H:%M} UTC, or ask for a person."
            )
        super().__init__(message)


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
