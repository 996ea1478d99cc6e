"""The model's own settings type (read from the environment by ``config.settings``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ModelSettings:
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    local_model: str = "auto"  # no key and no base URL: see assistant/local_server.py
    connect_timeout_s: float = 10.0
    stall_timeout_s: float = 60.0  # no token for this long: the reply is cut off
    heartbeat_s: float = 3.0  # a streaming reply saves its text so far this often
    max_reply_tokens: int = 512
    max_retry_after_s: float = 8.0  # a longer Retry-After is reported as "busy, try later"
    retries: int = 2
    temperature: float | None = 0.0  # replies answer from sources: nothing to be creative about
    accepts_images: bool = False  # MODEL_ACCEPTS_IMAGES: the customer's pictures go to the model

    @property
    def uses_local_server(self) -> bool:
        return not self.api_key and not self.base_url


@dataclass(frozen=True)
class BudgetSettings:
    user_tokens_per_period: int = 200_000
    ticket_tokens_per_period: int = 100_000
    period: str = "month"  # month | day
