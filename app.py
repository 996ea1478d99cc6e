"""Ticket Assistant: the Streamlit entry point. Sign in, then route to a view; nothing else."""

import streamlit as st

from common.errors import AppError
from tickets import rendering
from tickets.errors import StoreUnavailable
from ui import agent_view, articles, audit_view, customer_view, macros, reports, search
from ui.auth import sign_in
from ui.outage import show_outage
from ui.runtime import get_services

st.set_page_config(page_title="Ticket Assistant", page_icon="🎫", layout="wide")

try:
    services = get_services()
except AppError as exc:  # a configuration problem: say which setting to fix
    st.error(rendering.inline(exc.message))
    st.stop()

try:
    user = sign_in(services)
    articles.sidebar_link()
    search.sidebar_link(user)
    macros.sidebar_link(user)
    reports.sidebar_links(user)  # supervisors: reports and the audit log
    if articles.wanted():
        articles.render(services, user)
    elif user.is_agent and search.wanted():
        search.render(services, user)
    elif user.is_agent and macros.wanted():
        macros.render(services, user)
    elif reports.wanted(user) == "reports":
        reports.render(services, user)
    elif reports.wanted(user) == "audit":
        audit_view.render(services, user)
    elif user.is_agent:
        agent_view.render(services, user)
    else:
        customer_view.render(services, user)
except StoreUnavailable as exc:
    show_outage(exc)
