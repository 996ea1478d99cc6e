"""The services for this process, built once by the composition root, and per-run helpers.

``st.cache_resource`` shares the services between all sessions, so they hold nothing
user-specific; per-user state lives only in ``st.session_state``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import streamlit as st

from config.bootstrap import Services, build_services
from config.settings import Settings, load_settings
from demo.history import seed_history
from demo.seed import seed_demo
from privacy.redaction import install_log_redaction

log = logging.getLogger(__name__)
_override: Services | None = None


def use_services(services: Services | None) -> None:
    """Tests: run the app on services built with fakes (same composition root)."""
    global _override
    _override = services


def secrets() -> Mapping[str, Any]:
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return {}


def auth_configured() -> bool:
    return "auth" in secrets()


@st.cache_resource(show_spinner="Starting Ticket Assistant...")
def _build() -> Services:
    install_log_redaction(logging.getLogger(), logging.getLogger("streamlit"))
    settings = load_settings(secrets=secrets())
    services = build_services(settings)
    if settings.seed_demo and settings.store.backend == "sqlite":
        result = seed_demo(services.store)
        seed_history(services.store)  # past tickets for the reports
        if result.created:
            log.info("seeded demo data: %s tickets", result.tickets)
    return services


def get_services() -> Services:
    return _override if _override is not None else _build()


def settings() -> Settings:
    return get_services().settings
