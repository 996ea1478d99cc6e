"""Settings: environment variables first, then ``.streamlit/secrets.toml``, then defaults.

A missing or unsafe setting raises :class:`tickets.errors.ConfigError` naming what to set.
Secrets (the OpenAI key, encryption keys) are kept out of ``repr`` so they never reach logs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tickets.errors import ConfigError

T = TypeVar("T")
DEFAULT_EMULATOR_PROJECT = "demo-ticket-assistant"


@dataclass(frozen=True)
class StoreSettings:
    project: str | None = None
    emulator_host: str | None = None
    database: str = "(default)"
    credentials_file: str | None = None
    data_dir: Path = Path("data")
    call_deadline_s: float = 10.0  # an unreachable database fails a request after this long

    @property
    def backend(self) -> str:
        """Firestore when an emulator, credentials or a project is configured, else SQLite."""
        if self.emulator_host or self.credentials_file or self.project:
            return "firestore"
        return "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "tickets.db"


@dataclass(frozen=True)
class ModelSettings:
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    local_model: str = "auto"  # no key and no base URL: see assistant/local_server.py
    connect_timeout_s: float = 10.0
    stall_timeout_s: float = 60.0  # no token for this long: the reply is cut off
    max_reply_tokens: int = 512
    max_retry_after_s: float = 8.0  # a longer Retry-After is reported as "busy, try later"
    retries: int = 2

    @property
    def uses_local_server(self) -> bool:
        return not self.api_key and not self.base_url


@dataclass(frozen=True)
class MemorySettings:
    strategy: str = "summary"  # summary | window | full
    budget_tokens: int = 4000  # the whole prompt: system, ticket facts, memory, messages
    compact_trigger_tokens: int = 1600  # unsummarized messages above this are folded
    keep_recent_tokens: int = 500  # newest messages kept verbatim after a fold
    summary_max_tokens: int = 500  # a longer summary is rejected (fail-safe)
    pinned_facts_max: int = 50  # pinned identifiers kept verbatim in the checkpoint
    fold_max_messages: int = 200  # messages read per fold: every read stays bounded


@dataclass(frozen=True)
class BudgetSettings:
    user_tokens_per_period: int = 200_000
    ticket_tokens_per_period: int = 100_000
    period: str = "month"  # month | day


@dataclass(frozen=True)
class Settings:
    store: StoreSettings = field(default_factory=StoreSettings)
    model: ModelSettings = field(default_factory=ModelSettings)
    memory: MemorySettings = field(default_factory=MemorySettings)
    budget: BudgetSettings = field(default_factory=BudgetSettings)
    product_name: str = "Acme Home"
    max_message_chars: int = 8000
    max_message_bytes: int = 32_000
    encryption_keys: str | None = field(default=None, repr=False)
    allow_demo_login: bool = False
    seed_demo: bool = True


class _Source:
    def __init__(self, env: Mapping[str, str], secrets: Mapping[str, Any]) -> None:
        self.env, self.secrets = env, secrets

    def raw(self, name: str) -> Any:
        if self.env.get(name) not in (None, ""):
            return self.env[name]
        value = self.secrets.get(name)
        return None if value in (None, "") else value

    def get(self, name: str, default: T, cast: Callable[[Any], T]) -> T:
        value = self.raw(name)
        if value is None:
            return default
        try:
            return cast(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{name}={value!r} is not valid: expected {cast.__name__}.") from exc


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(value)


def _str(value: Any) -> str:
    return str(value)


def load_settings(
    env: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None
) -> Settings:
    src = _Source(os.environ if env is None else env, secrets or {})
    emulator = src.get("FIRESTORE_EMULATOR_HOST", None, _str)
    project = src.get("GOOGLE_CLOUD_PROJECT", None, _str) or src.get(
        "FIRESTORE_PROJECT", None, _str
    )
    if emulator and not project:
        project = DEFAULT_EMULATOR_PROJECT
    store = StoreSettings(
        project=project,
        emulator_host=emulator,
        database=src.get("FIRESTORE_DATABASE", "(default)", _str),
        credentials_file=src.get("GOOGLE_APPLICATION_CREDENTIALS", None, _str),
        data_dir=Path(src.get("TICKETS_DATA_DIR", "data", _str)),
        call_deadline_s=src.get("FIRESTORE_CALL_DEADLINE_S", 10.0, float),
    )
    check_emulator_project(store)
    d_model, d_mem, d_budget = ModelSettings(), MemorySettings(), BudgetSettings()
    model = ModelSettings(
        api_key=src.get("OPENAI_API_KEY", None, _str),
        base_url=src.get("OPENAI_BASE_URL", None, _str),
        model=src.get("OPENAI_MODEL", d_model.model, _str),
        local_model=src.get("LOCAL_MODEL", d_model.local_model, _str),
        stall_timeout_s=src.get("MODEL_STALL_TIMEOUT_S", d_model.stall_timeout_s, float),
        max_reply_tokens=src.get("MODEL_MAX_REPLY_TOKENS", d_model.max_reply_tokens, int),
        max_retry_after_s=src.get("MODEL_MAX_RETRY_AFTER_S", d_model.max_retry_after_s, float),
        retries=src.get("MODEL_RETRIES", d_model.retries, int),
    )
    memory = MemorySettings(
        strategy=src.get("MEMORY_STRATEGY", d_mem.strategy, _str),
        budget_tokens=src.get("MEMORY_BUDGET_TOKENS", d_mem.budget_tokens, int),
        compact_trigger_tokens=src.get(
            "MEMORY_COMPACT_TRIGGER_TOKENS", d_mem.compact_trigger_tokens, int
        ),
        keep_recent_tokens=src.get("MEMORY_KEEP_RECENT_TOKENS", d_mem.keep_recent_tokens, int),
        summary_max_tokens=src.get("MEMORY_SUMMARY_MAX_TOKENS", d_mem.summary_max_tokens, int),
        pinned_facts_max=src.get("MEMORY_PINNED_FACTS_MAX", d_mem.pinned_facts_max, int),
    )
    if memory.strategy not in {"summary", "window", "full"}:
        raise ConfigError("MEMORY_STRATEGY must be one of: summary, window, full.")
    budget = BudgetSettings(
        user_tokens_per_period=src.get("BUDGET_USER_TOKENS", d_budget.user_tokens_per_period, int),
        ticket_tokens_per_period=src.get(
            "BUDGET_TICKET_TOKENS", d_budget.ticket_tokens_per_period, int
        ),
        period=src.get("BUDGET_PERIOD", d_budget.period, _str),
    )
    if budget.period not in {"month", "day"}:
        raise ConfigError("BUDGET_PERIOD must be 'month' or 'day'.")
    return Settings(
        store=store,
        model=model,
        memory=memory,
        budget=budget,
        product_name=src.get("PRODUCT_NAME", Settings.product_name, _str),
        max_message_chars=src.get("MAX_MESSAGE_CHARS", Settings.max_message_chars, int),
        max_message_bytes=src.get("MAX_MESSAGE_BYTES", Settings.max_message_bytes, int),
        encryption_keys=src.get("TICKETS_ENCRYPTION_KEYS", None, _str),
        allow_demo_login=src.get("ALLOW_DEMO_LOGIN", False, _bool),
        seed_demo=src.get("SEED_DEMO", True, _bool),
    )


def check_emulator_project(store: StoreSettings) -> None:
    """Emulator settings against a real project id could write test data to production."""
    if store.emulator_host and not (store.project or "").startswith("demo-"):
        raise ConfigError(
            f"FIRESTORE_EMULATOR_HOST is set but the project id is {store.project!r}. "
            "Emulator runs must use a project id starting with 'demo-' "
            "(set GOOGLE_CLOUD_PROJECT=demo-ticket-assistant), or unset FIRESTORE_EMULATOR_HOST."
        )
