"""The composition root: the one place that builds services from settings.

``app.py`` calls :func:`build_services` through ``st.cache_resource`` (one set per process,
shared by all sessions, holding nothing user-specific); tests call it with fakes or real
local services.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from assistant.budget import BudgetGuard
from assistant.copilot import CopilotService
from assistant.lazy import LazyModel
from assistant.local_server import LocalModelServer, resolve
from assistant.openai_model import OpenAIChatModel, make_client
from assistant.ports import AssistantConfig, AssistantPorts, MemoryFactory
from assistant.protocol import ChatModel
from assistant.service import AssistantService, RunLater
from config.settings import MemorySettings, Settings
from memory.base import MemoryStore, MemoryStrategy
from memory.simple import FullMemory, WindowMemory
from memory.summary import Summarizer, SummaryConfig, SummaryMemory
from memory.tokens import OfflineTokenCounter, TokenCounter
from privacy.crypto import local_keyring, parse_keys
from tickets.domain import Message
from tickets.sealing import Sealer
from tickets.service import TicketService
from tickets.store import TicketStore
from tickets.text import TextLimits

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    store: TicketStore
    tickets: TicketService
    assistant: AssistantService
    copilot: CopilotService
    budget: BudgetGuard
    counter: TokenCounter
    model: ChatModel
    local_server: LocalModelServer | None = None
    executor: ThreadPoolExecutor | None = field(default=None, repr=False)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)
        if self.local_server is not None:
            self.local_server.stop()


def build_sealer(settings: Settings) -> Sealer:
    """Encryption at rest: the configured keys; in the embedded default, a local key file."""
    if settings.encryption_keys:
        return Sealer(parse_keys(settings.encryption_keys))
    if settings.store.backend == "sqlite":
        return Sealer(local_keyring(settings.store.data_dir / "keys.json"))
    return Sealer()


def build_store(settings: Settings) -> TicketStore:
    """Firestore when configured (emulator, credentials or a project id), else SQLite."""
    sealer = build_sealer(settings)
    if settings.store.backend == "firestore":
        from config.firestore_client import make_firestore_client
        from tickets.firestore_store import FirestoreStore

        return FirestoreStore(make_firestore_client(settings.store), sealer=sealer)
    from tickets.sqlite_store import SqliteStore

    return SqliteStore(settings.store.sqlite_path, sealer)


def build_model(settings: Settings) -> tuple[ChatModel, LocalModelServer | None]:
    cfg = settings.model

    def openai_model(base_url: str | None, model_name: str) -> OpenAIChatModel:
        client = make_client(
            cfg.api_key,
            base_url,
            connect_timeout_s=cfg.connect_timeout_s,
            stall_timeout_s=cfg.stall_timeout_s,
        )
        return OpenAIChatModel(
            client, model_name, retries=cfg.retries, max_retry_after_s=cfg.max_retry_after_s
        )

    if not cfg.uses_local_server:
        return openai_model(cfg.base_url, cfg.model), None
    local = resolve(cfg.local_model, settings.store.data_dir / "models")
    server = LocalModelServer(local)
    return LazyModel(local.alias, lambda: openai_model(server.start(), local.alias)), server


def summary_config(mem: MemorySettings) -> SummaryConfig:
    return SummaryConfig(
        budget_tokens=mem.budget_tokens,
        compact_trigger_tokens=mem.compact_trigger_tokens,
        keep_recent_tokens=mem.keep_recent_tokens,
        summary_max_tokens=mem.summary_max_tokens,
        pinned_facts_max=mem.pinned_facts_max,
        fold_max_messages=mem.fold_max_messages,
    )


def memory_factory(settings: Settings, store: MemoryStore, counter: TokenCounter) -> MemoryFactory:
    mem = settings.memory
    config = summary_config(mem)

    def make(
        summarizer: Summarizer, public_only: bool, line_text: Callable[[Message], str]
    ) -> MemoryStrategy:
        if mem.strategy == "window":
            return WindowMemory(store, counter, mem.budget_tokens, public_only=public_only)
        if mem.strategy == "full":
            return FullMemory(store, counter, mem.budget_tokens, public_only=public_only)
        return SummaryMemory(
            store, counter, summarizer, config, public_only=public_only, line_text=line_text
        )

    return make


def build_services(
    settings: Settings,
    *,
    store: TicketStore | None = None,
    model: ChatModel | None = None,
    counter: TokenCounter | None = None,
    run_later: RunLater | None = None,
) -> Services:
    store = store or build_store(settings)
    counter = counter or OfflineTokenCounter()
    server = None
    if model is None:
        model, server = build_model(settings)
    executor = None
    if run_later is None:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="compaction")
        run_later = partial(_submit, executor)

    limits = TextLimits(settings.max_message_chars, settings.max_message_bytes)
    tickets = TicketService(store, limits)
    budget = BudgetGuard(store, settings.budget)
    factory = memory_factory(settings, store, counter)
    config = AssistantConfig(settings.product_name, settings.model.max_reply_tokens)
    ports = AssistantPorts(tickets, model, counter, factory, budget, config)
    assistant = AssistantService(ports, run_later=run_later)
    copilot = CopilotService(ports)
    return Services(
        settings, store, tickets, assistant, copilot, budget, counter, model, server, executor
    )


def _submit(executor: ThreadPoolExecutor, job: Callable[[], None]) -> None:
    executor.submit(_logged, job)


def _logged(job: Callable[[], None]) -> None:
    try:
        job()
    except Exception:
        log.exception("background job failed")
