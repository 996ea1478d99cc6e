"""Settings: environment variables first, then ``.streamlit/secrets.toml``, then defaults.

Each component owns its settings type (``StoreSettings``, ``ModelSettings``,
``MemorySettings``, ``BudgetSettings``); this module only reads them from the environment.
A missing or unsafe setting raises :class:`common.errors.ConfigError` naming what to set.
Secrets (the OpenAI key, encryption keys) are kept out of ``repr`` so they never reach logs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from assistant.settings import BudgetSettings, ModelSettings
from common.errors import ConfigError
from knowledge.settings import KnowledgeSettings
from memory.settings import STRATEGIES, MemorySettings
from storage import backends
from storage.settings import StoreSettings, check_emulator_project
from tickets.domain import Priority
from tickets.live import LiveSettings
from tickets.reports import ReportSettings
from tickets.sla import FIRST_MINUTES, NEXT_MINUTES, SlaTargets, parse_minutes
from tickets.uploads import AttachmentLimits

T = TypeVar("T")
DEFAULT_EMULATOR_PROJECT = "demo-ticket-assistant"


@dataclass(frozen=True)
class Settings:
    store: StoreSettings = field(default_factory=StoreSettings)
    model: ModelSettings = field(default_factory=ModelSettings)
    memory: MemorySettings = field(default_factory=MemorySettings)
    budget: BudgetSettings = field(default_factory=BudgetSettings)
    live: LiveSettings = field(default_factory=LiveSettings)
    knowledge: KnowledgeSettings = field(default_factory=KnowledgeSettings)
    sla: SlaTargets = field(default_factory=SlaTargets)
    attachments: AttachmentLimits = field(default_factory=AttachmentLimits)
    reports: ReportSettings = field(default_factory=ReportSettings)
    retention_days: int | None = None  # resolved tickets expire this long after resolution
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
        backend=src.get("TICKETS_STORE", "sqlite", _str).strip().lower(),
        project=project,
        emulator_host=emulator,
        database=src.get("FIRESTORE_DATABASE", "(default)", _str),
        credentials_file=src.get("GOOGLE_APPLICATION_CREDENTIALS", None, _str),
        data_dir=Path(src.get("TICKETS_DATA_DIR", "data", _str)),
        call_deadline_s=src.get("FIRESTORE_CALL_DEADLINE_S", 10.0, float),
        bucket=src.get("TICKETS_BUCKET", None, _str),
        storage_emulator_host=src.get("STORAGE_EMULATOR_HOST", None, _str),
    )
    _check_store(store)
    d_model, d_mem, d_budget = ModelSettings(), MemorySettings(), BudgetSettings()
    model = ModelSettings(
        api_key=src.get("OPENAI_API_KEY", None, _str),
        base_url=src.get("OPENAI_BASE_URL", None, _str),
        model=src.get("OPENAI_MODEL", d_model.model, _str),
        local_model=src.get("LOCAL_MODEL", d_model.local_model, _str),
        stall_timeout_s=src.get("MODEL_STALL_TIMEOUT_S", d_model.stall_timeout_s, float),
        heartbeat_s=src.get("MODEL_HEARTBEAT_S", d_model.heartbeat_s, float),
        max_reply_tokens=src.get("MODEL_MAX_REPLY_TOKENS", d_model.max_reply_tokens, int),
        max_retry_after_s=src.get("MODEL_MAX_RETRY_AFTER_S", d_model.max_retry_after_s, float),
        retries=src.get("MODEL_RETRIES", d_model.retries, int),
        temperature=src.get("MODEL_TEMPERATURE", d_model.temperature, float),
        accepts_images=src.get("MODEL_ACCEPTS_IMAGES", d_model.accepts_images, _bool),
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
    if memory.strategy not in STRATEGIES:
        raise ConfigError(f"MEMORY_STRATEGY must be one of: {', '.join(STRATEGIES)}.")
    budget = BudgetSettings(
        user_tokens_per_period=src.get("BUDGET_USER_TOKENS", d_budget.user_tokens_per_period, int),
        ticket_tokens_per_period=src.get(
            "BUDGET_TICKET_TOKENS", d_budget.ticket_tokens_per_period, int
        ),
        period=src.get("BUDGET_PERIOD", d_budget.period, _str),
    )
    if budget.period not in {"month", "day"}:
        raise ConfigError("BUDGET_PERIOD must be 'month' or 'day'.")
    d_live = LiveSettings()
    live = LiveSettings(
        thread_poll_s=src.get("LIVE_THREAD_POLL_S", d_live.thread_poll_s, float),
        queue_poll_s=src.get("LIVE_QUEUE_POLL_S", d_live.queue_poll_s, float),
        presence_ttl_s=src.get("LIVE_PRESENCE_TTL_S", d_live.presence_ttl_s, float),
    )
    if min(live.thread_poll_s, live.queue_poll_s) < 0.5 or live.presence_ttl_s < 5:
        raise ConfigError(
            "LIVE_THREAD_POLL_S and LIVE_QUEUE_POLL_S must be at least 0.5 (seconds) and "
            "LIVE_PRESENCE_TTL_S at least 5."
        )
    d_kb = KnowledgeSettings()
    knowledge = KnowledgeSettings(
        top_k=src.get("KNOWLEDGE_TOP_K", d_kb.top_k, int),
        min_coverage=src.get("KNOWLEDGE_MIN_COVERAGE", d_kb.min_coverage, float),
        embeddings_model=src.get("KNOWLEDGE_EMBEDDINGS_MODEL", None, _str),
        embeddings_base_url=src.get("KNOWLEDGE_EMBEDDINGS_BASE_URL", None, _str) or model.base_url,
        embeddings_api_key=src.get("KNOWLEDGE_EMBEDDINGS_API_KEY", None, _str) or model.api_key,
        min_similarity=src.get("KNOWLEDGE_MIN_SIMILARITY", d_kb.min_similarity, float),
        evidence_first=src.get("KNOWLEDGE_EVIDENCE_FIRST", d_kb.evidence_first, _bool),
    )
    reports = ReportSettings(
        price_prompt_per_mtok=src.get("MODEL_PRICE_PROMPT_PER_MTOK", 0.0, float),
        price_completion_per_mtok=src.get("MODEL_PRICE_COMPLETION_PER_MTOK", 0.0, float),
        currency=src.get("REPORTS_CURRENCY", "USD", _str),
    )
    retention = src.get("RETENTION_DAYS", None, int)
    if retention is not None and retention < 1:
        raise ConfigError("RETENTION_DAYS must be a whole number of days, at least 1.")
    return Settings(
        sla=_sla(src),
        attachments=_attachments(src),
        store=store,
        reports=reports,
        retention_days=retention,
        model=model,
        memory=memory,
        budget=budget,
        live=live,
        knowledge=knowledge,
        product_name=src.get("PRODUCT_NAME", Settings.product_name, _str),
        max_message_chars=src.get("MAX_MESSAGE_CHARS", Settings.max_message_chars, int),
        max_message_bytes=src.get("MAX_MESSAGE_BYTES", Settings.max_message_bytes, int),
        encryption_keys=src.get("TICKETS_ENCRYPTION_KEYS", None, _str),
        allow_demo_login=src.get("ALLOW_DEMO_LOGIN", False, _bool),
        seed_demo=src.get("SEED_DEMO", True, _bool),
    )


def _sla(src: _Source) -> SlaTargets:
    """``SLA_FIRST_RESPONSE_MINUTES="urgent:30,high:60,normal:240,low:1440"`` and the same
    for ``SLA_NEXT_RESPONSE_MINUTES``; ``SLA_WARN_MINUTES`` (about to breach)."""
    tables = {}
    for name, defaults in (
        ("SLA_FIRST_RESPONSE_MINUTES", FIRST_MINUTES),
        ("SLA_NEXT_RESPONSE_MINUTES", NEXT_MINUTES),
    ):
        spec = src.get(name, "", _str)
        try:
            tables[name] = parse_minutes(spec, defaults)
        except ValueError as exc:
            names = ", ".join(p.value for p in Priority)
            raise ConfigError(
                f"{name}={spec!r} is not valid: use PRIORITY:MINUTES pairs separated by commas "
                f"(priorities: {names}; minutes above 0), e.g. 'urgent:30,high:60'."
            ) from exc
    warn = src.get("SLA_WARN_MINUTES", 10, int)
    if warn < 0:
        raise ConfigError("SLA_WARN_MINUTES must be 0 or more.")
    return SlaTargets(
        tables["SLA_FIRST_RESPONSE_MINUTES"], tables["SLA_NEXT_RESPONSE_MINUTES"], warn
    )


def _attachments(src: _Source) -> AttachmentLimits:
    d = AttachmentLimits()
    files = src.get("ATTACHMENT_MAX_FILES", d.max_files, int)
    megabytes = src.get("ATTACHMENT_MAX_MB", d.max_bytes / (1024 * 1024), float)
    if files < 1 or megabytes <= 0:
        raise ConfigError("ATTACHMENT_MAX_FILES must be at least 1 and ATTACHMENT_MAX_MB above 0.")
    return AttachmentLimits(files, int(megabytes * 1024 * 1024), d.max_pixels)


def _check_store(store: StoreSettings) -> None:
    """The store is chosen explicitly: Firestore settings alone never switch it on (a
    developer with ``GOOGLE_CLOUD_PROJECT`` exported must not run against production)."""
    if store.backend not in backends():
        raise ConfigError(
            f"TICKETS_STORE={store.backend!r} is not a store: use one of {backends()}."
        )
    if store.backend == "firestore":
        check_emulator_project(store)
    elif store.firestore_configured:
        raise ConfigError(
            "Firestore settings (FIRESTORE_EMULATOR_HOST, GOOGLE_CLOUD_PROJECT, "
            "FIRESTORE_PROJECT, GOOGLE_APPLICATION_CREDENTIALS or TICKETS_BUCKET) are set but "
            "TICKETS_STORE "
            f"is {store.backend!r}. Set TICKETS_STORE=firestore to use Firestore, or unset "
            "them to use the embedded store."
        )
