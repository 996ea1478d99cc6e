"""The composition root: the one place that builds services from settings.

``app.py`` calls :func:`build_services` through ``st.cache_resource`` (one set per process,
shared by all sessions, holding nothing user-specific); the operator CLI calls it too; tests
call it with fakes or real local services.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from assistant.articles import ArticleService
from assistant.budget import BudgetGuard
from assistant.copilot import CopilotService
from assistant.embeddings import OpenAIEmbedder
from assistant.lazy import LazyModel
from assistant.live import LivePages
from assistant.local_server import LocalModelServer, shared_server
from assistant.openai_model import OpenAIChatModel, make_client
from assistant.pages import PageService
from assistant.pipeline import ReplyPipeline, RunLater
from assistant.ports import AssistantConfig, AssistantPorts, MemoryFactory
from assistant.protocol import ChatModel
from assistant.service import AssistantService
from assistant.triage import TriageService
from config.settings import Settings
from knowledge.embeddings import Embedder
from knowledge.retrieval import Bm25Ranker, EmbeddingRanker, HybridRanker, Retriever
from knowledge.store import ArticleStore
from memory.base import MemoryStrategy
from memory.retrieval import RetrievalMemory
from memory.simple import FullMemory, WindowMemory
from memory.summary import Summarizer, SummaryMemory
from memory.tokens import OfflineTokenCounter, TokenCounter
from privacy.crypto import local_keyring, parse_keys
from storage import adapter
from storage.sealing import Sealer
from tickets.domain import Message, utcnow
from tickets.drafts import DraftService
from tickets.macros import SnippetService
from tickets.metrics import MetricsRecorder
from tickets.operations import TicketOperations
from tickets.queue_live import LiveQueue
from tickets.reporting import Report, metric_events
from tickets.reports import Budgets, ReportService
from tickets.satisfaction import FeedbackService
from tickets.service import TicketService
from tickets.sla import SlaClocks
from tickets.store import CheckpointStore, Store, ThreadStore, TicketStore
from tickets.text import TextLimits
from tickets.watch import PresenceService

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    store: Store
    tickets: TicketService
    assistant: AssistantService
    copilot: CopilotService
    pages: PageService
    live: LivePages
    live_queue: LiveQueue
    budget: BudgetGuard
    counter: TokenCounter
    model: ChatModel
    articles: ArticleService
    snippets: SnippetService  # canned responses and macros
    feedback: FeedbackService  # ratings of replies and CSAT
    operations: TicketOperations  # merge, message search
    triage: TriageService
    reports: ReportService
    drafts: DraftService  # unsent text per (user, ticket), kept across reloads
    embedder: Embedder | None = None
    local_server: LocalModelServer | None = None
    executor: ThreadPoolExecutor | None = field(default=None, repr=False)

    @property
    def metrics(self) -> MetricsRecorder:
        """The reports' one entry point: ``services.metrics.record(event)``."""
        return self.tickets.metrics

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)


def build_sealer(settings: Settings) -> Sealer:
    """Encryption at rest: the configured keys; in the embedded default, a local key file."""
    if settings.encryption_keys:
        return Sealer(parse_keys(settings.encryption_keys))
    if settings.store.backend == "sqlite":
        return Sealer(local_keyring(settings.store.data_dir / "keys.json"))
    return Sealer()


def build_store(settings: Settings) -> Store:
    """The backend ``TICKETS_STORE`` names (``storage/<name>``)."""
    opened: Store = adapter(settings.store.backend).open_store(
        settings.store, build_sealer(settings)
    )
    return opened


def build_model(settings: Settings) -> tuple[ChatModel, LocalModelServer | None]:
    cfg = settings.model

    def openai_model(
        base_url: str | None, model_name: str, api_key: str | None = cfg.api_key
    ) -> OpenAIChatModel:
        client = make_client(
            api_key,
            base_url,
            connect_timeout_s=cfg.connect_timeout_s,
            stall_timeout_s=cfg.stall_timeout_s,
        )
        return OpenAIChatModel(
            client,
            model_name,
            retries=cfg.retries,
            max_retry_after_s=cfg.max_retry_after_s,
            temperature=cfg.temperature,
        )

    if not cfg.uses_local_server:
        return openai_model(cfg.base_url, cfg.model), None
    server = shared_server(cfg.local_model, settings.store.data_dir / "models")
    alias = server.model.alias
    return LazyModel(alias, lambda: openai_model(server.start(), alias, server.api_key)), server


def build_embedder(settings: Settings) -> Embedder | None:
    """Embeddings only when a model is named (``KNOWLEDGE_EMBEDDINGS_MODEL``)."""
    kb, cfg = settings.knowledge, settings.model
    if not kb.embeddings_model:
        return None
    client = make_client(
        kb.embeddings_api_key,
        kb.embeddings_base_url,
        connect_timeout_s=cfg.connect_timeout_s,
        stall_timeout_s=cfg.stall_timeout_s,
    )
    return OpenAIEmbedder(client, kb.embeddings_model)


def build_retriever(
    settings: Settings, articles: ArticleStore, embedder: Embedder | None
) -> Retriever:
    """BM25 always (offline); hybrid with the embeddings ranker when one is configured."""
    kb = settings.knowledge
    lexical = Bm25Ranker(articles, min_coverage=kb.min_coverage)
    if embedder is None:
        return lexical
    semantic = EmbeddingRanker(articles, embedder, min_similarity=kb.min_similarity)
    return HybridRanker([lexical, semantic])


def memory_factory(
    settings: Settings,
    threads: ThreadStore,
    checkpoints: CheckpointStore,
    counter: TokenCounter,
    clock: Callable[[], datetime] = utcnow,
    tickets: TicketStore | None = None,
) -> MemoryFactory:
    mem = settings.memory
    config = mem.summary_config(stall_after_s=settings.model.stall_timeout_s)

    def make(
        summarizer: Summarizer, public_only: bool, line_text: Callable[[Message], str]
    ) -> MemoryStrategy:
        if mem.strategy == "window":
            return WindowMemory(threads, counter, mem.budget_tokens, public_only=public_only)
        if mem.strategy == "full":
            return FullMemory(threads, counter, mem.budget_tokens, public_only=public_only)
        summary = SummaryMemory(
            threads,
            checkpoints,
            counter,
            summarizer,
            config,
            public_only=public_only,
            line_text=line_text,
            clock=clock,
        )
        if mem.strategy == "retrieval" and tickets is not None:
            return RetrievalMemory(summary, threads, tickets, public_only=public_only)
        return summary

    return make


def build_services(
    settings: Settings,
    *,
    store: Store | None = None,
    model: ChatModel | None = None,
    counter: TokenCounter | None = None,
    run_later: RunLater | None = None,
    clock: Callable[[], datetime] = utcnow,
    embedder: Embedder | None = None,
    report: Report | None = None,
) -> Services:
    """``report``: where the helpdesk's report events go (``csat_given``, ``reply_rated``,
    ``sla_breached``; see :mod:`tickets.reporting`); by default the reports' metrics."""
    store = store or build_store(settings)
    embedder = embedder or build_embedder(settings)
    retriever = build_retriever(settings, store.articles, embedder)
    counter = counter or OfflineTokenCounter()
    server = None
    if model is None:
        model, server = build_model(settings)
    executor = None
    if run_later is None:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="compaction")
        run_later = partial(_submit, executor)

    stall = settings.model.stall_timeout_s
    limits = TextLimits(settings.max_message_chars, settings.max_message_bytes)
    report = report or metric_events(MetricsRecorder(store.metrics), clock)
    sla = SlaClocks(store.sla, settings.sla, clock, report)
    tickets = TicketService(
        store,
        limits,
        clock,
        reply_stall_s=stall,
        sla=sla,
        file_limits=settings.attachments,
        retention_days=settings.retention_days,
    )
    budget = BudgetGuard(store.usage, settings.budget, clock, tickets.metrics)
    factory = memory_factory(
        settings, store.threads, store.checkpoints, counter, clock, tickets=store.tickets
    )
    pipeline = ReplyPipeline(
        store.threads,
        model,
        counter,
        run_later=run_later,
        max_tokens=settings.model.max_reply_tokens,
        stall_after_s=stall,
        heartbeat_s=settings.model.heartbeat_s,
        clock=clock,
    )
    config = AssistantConfig(
        settings.product_name,
        settings.model.max_reply_tokens,
        settings.knowledge.top_k,
        accepts_images=settings.model.accepts_images,
        evidence_first=settings.knowledge.evidence_first,
    )
    ports = AssistantPorts(
        tickets, model, counter, factory, budget, pipeline, config, retriever=retriever
    )
    assistant = AssistantService(ports)
    copilot = CopilotService(ports)
    pages = PageService(tickets, assistant, budget)
    presence = PresenceService(store.presence, store.activity, settings.live, clock)
    live = LivePages(pages, presence, settings.live, clock)
    live_queue = LiveQueue(tickets, settings.live, clock)
    return Services(
        settings,
        store,
        tickets,
        assistant,
        copilot,
        pages,
        live,
        live_queue,
        budget,
        counter,
        model,
        ArticleService(store.articles, retriever),
        SnippetService(store.snippets, tickets, clock),
        FeedbackService(store.threads, store.feedback, clock, report),
        TicketOperations(tickets),
        TriageService(tickets, model, budget, run_later, product=settings.product_name),
        build_reports(settings, tickets, budget, clock),
        DraftService(store.drafts, clock),
        embedder,
        server,
        executor,
    )


def build_reports(
    settings: Settings, tickets: TicketService, budget: BudgetGuard, clock: Callable[[], datetime]
) -> ReportService:
    limits, store = settings.budget, tickets.store

    def budgets() -> Budgets:
        return Budgets(
            budget.period(), limits.user_tokens_per_period, limits.ticket_tokens_per_period
        )

    return ReportService(
        store.metrics, store.usage, settings.reports, budgets, clock, tickets.audit
    )


def _submit(executor: ThreadPoolExecutor, job: Callable[[], None]) -> None:
    executor.submit(_logged, job)


def _logged(job: Callable[[], None]) -> None:
    try:
        job()
    except Exception:
        log.exception("background job failed")
