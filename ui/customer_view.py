"""What a customer sees: their tickets, a new-ticket form, and the thread with the assistant."""

from __future__ import annotations

import streamlit as st

from assistant.pipeline import ReplyRun
from common.errors import AppError
from config.bootstrap import Services
from tickets import rendering
from tickets.domain import Message, Status, Ticket, User
from tickets.errors import InvalidInput, NotSignedIn, TicketNotFound
from tickets.export import FORMATS
from tickets.ids import new_message_id, new_request_key
from tickets.service import TicketAccess
from tickets.uploads import Upload
from ui import attachments, feedback, helpdesk, live, presence
from ui.auth import sign_out
from ui.components import ago, context_meter, export_button, rerun_fragment, status_badge
from ui.conversation import post_safely, show_own_message, stream_reply, unsent_box
from ui.thread import page_limit, show_thread

NEW = "new"
AGENT_TOOK_OVER = "A support agent is handling this ticket and will reply here."


def render(services: Services, user: User) -> None:
    tickets = services.tickets.my_tickets(user)
    selected = st.query_params.get("ticket") or (tickets[0].id if tickets else NEW)
    _sidebar(user, tickets, selected)
    if selected == NEW:
        live.leave(services)
        _new_ticket(services, user)
        return
    try:  # the ticket comes from the list just read when it is there: read once per rerun
        access = services.pages.access(user, selected, known=tickets)
    except (TicketNotFound, InvalidInput) as exc:
        live.leave(services)
        st.error(rendering.inline(exc.message), icon="🔍")
        st.button("Back to my tickets", on_click=_select, args=(NEW,))
        return
    _ticket_page(services, access)


def _select(ticket_id: str) -> None:
    st.query_params["ticket"] = ticket_id


def _sidebar(user: User, tickets: list[Ticket], selected: str) -> None:
    with st.sidebar:
        st.markdown(
            f"### 🎫 Ticket Assistant\nSigned in as **{rendering.inline(user.display_name)}**"
        )
        st.button("+ New ticket", on_click=_select, args=(NEW,), use_container_width=True)
        st.caption("Your tickets")
        if not tickets:
            st.caption("None yet.")
        for ticket in tickets:
            st.button(
                f"{rendering.inline(ticket.subject, 90)}  \n"
                f"{ticket.status.label} · {ago(ticket.updated_at)}",
                key=f"pick-{ticket.id}",
                on_click=_select,
                args=(ticket.id,),
                type="primary" if ticket.id == selected else "secondary",
                use_container_width=True,
            )
        st.divider()
        if st.button("Sign out", use_container_width=True):
            sign_out()


def _new_ticket(services: Services, user: User) -> None:
    st.header("Open a ticket")
    st.caption(
        "Describe the problem; the AI assistant answers right away and a person can take over."
    )
    ids = st.session_state.setdefault("new-ticket-ids", (new_request_key(), new_message_id()))
    with st.form("new-ticket", clear_on_submit=False):
        subject = st.text_input("Subject", placeholder="e.g. My kettle leaks")
        text = st.text_area("Message", placeholder="What happened? Order numbers help.", height=150)
        submitted = st.form_submit_button("Open ticket", type="primary")
    if not submitted:
        return
    try:
        ticket = services.tickets.open_ticket(
            user, subject, text, request_key=ids[0], message_id=ids[1]
        )
    except AppError as exc:
        st.error(rendering.inline(exc.message), icon="⚠️")  # the form keeps what was typed
        return
    del st.session_state["new-ticket-ids"]
    st.session_state[f"autoreply:{ticket.id}"] = True
    _select(ticket.id)
    st.rerun()


def _ticket_page(services: Services, access: TicketAccess) -> None:
    ticket = access.ticket
    st.header(rendering.inline(ticket.subject), anchor=False)
    st.markdown(f"{status_badge(ticket)} · `{ticket.id}` · opened {ago(ticket.created_at)}")
    actions = st.columns([1, 1, 2])
    if ticket.status is not Status.WAITING_ON_AGENT and actions[0].button("🙋 Ask for a person"):
        services.assistant.request_person(access)
        st.rerun()
    with actions[1].popover("⬇ Export"):
        fmt = st.radio(
            "Format", ["md", "html", "json", "csv"], horizontal=True, key=f"fmt-{ticket.id}"
        )
        uid = access.user.uid
        export_button(
            "Download transcript",
            lambda: services.tickets.export(uid, ticket.id, fmt),
            f"{ticket.id}.{fmt}",
            FORMATS[fmt],
            key=f"dl-{ticket.id}",
        )
    if ticket.merged_into:
        st.info(
            f"This ticket was merged into another of yours (`{ticket.merged_into}`): the "
            "conversation continues there.",
            icon="🔀",
        )
        st.button("Go there", on_click=_select, args=(ticket.merged_into,))
    feedback.csat_thanks(access)
    feedback.csat_prompt(services, access)
    every = services.settings.live.thread_poll_s
    st.fragment(_conversation, run_every=every)(services, access)


def _conversation(services: Services, access: TicketAccess) -> None:
    """The live part of the page: polled every ``thread_poll_s`` (one read when nothing
    changed); sending a message also reruns only this part. Anything it does is done with
    the user and ticket checked again at that moment. A status change redraws the whole
    page (the header and the sidebar show it too)."""
    ticket_id, uid = access.ticket.id, access.user.uid
    try:
        shown = live.current(services, access, limit=page_limit(ticket_id))
    except (NotSignedIn, TicketNotFound) as exc:  # disabled or revoked meanwhile: stop here
        st.error(rendering.inline(exc.message), icon="🔒")
        if st.button("Reload the page", key=f"reload-{ticket_id}"):
            st.rerun(scope="app")
        return
    page, ticket = shown.page, shown.page.ticket
    # A new status redraws the whole page (a half-typed message stays in the input). When a
    # message was submitted in this very run, only at the end of the run: a submitted
    # message lives in the chat input for this run alone.
    status_changed = ticket.status is not access.ticket.status
    if status_changed and st.session_state.get(f"chat-{ticket_id}") is None:
        st.rerun()

    def checked() -> TicketAccess:
        return services.tickets.access(services.tickets.current_user(uid), ticket_id)

    retry_key, auto_key = f"retry:{ticket_id}", f"autoreply:{ticket_id}"
    runs: list[ReplyRun] = []  # a reply that handed the ticket over changes the whole page

    def reply() -> ReplyRun | None:
        run = services.assistant.reply(checked())
        runs.extend([run] if run else [])
        return run

    with st.expander("🧠 What the assistant remembers", expanded=page.memory.truncated):
        context_meter(page.memory, page.budget)

    def ask_retry(message: Message) -> None:
        st.session_state[retry_key] = message.id

    show_thread(
        shown.access.user,
        page.thread,
        summarized_through=page.memory.summarized_through,
        on_retry=ask_retry,
        extras=helpdesk.extras_for(services, shown.access),
    )
    presence.show_customer_line(shown.watchers(services.live.clock()))
    if not ticket.assistant_active:
        st.caption(f"🎧 {AGENT_TOOK_OVER}")
    streamed = False
    if retry_key in st.session_state:
        message_id = st.session_state.pop(retry_key)
        streamed = stream_reply(
            lambda: services.assistant.retry(checked(), message_id), waiting_note=AGENT_TOOK_OVER
        )
    elif st.session_state.pop(auto_key, False):  # a new ticket: its first reply, then triage
        streamed = stream_reply(reply, waiting_note=AGENT_TOOK_OVER)
        services.triage.start(ticket)  # in the background, after the reply: never slowing it

    files: list[Upload] = []

    def post(text: str, mid: str) -> Message:
        return services.tickets.post(checked(), text, message_id=mid, files=files)

    box = st.container()  # new messages appear above the input, in thread order
    allow_files = services.store.blobs.available and not ticket.merged_into
    typed = st.chat_input(
        "Write a message",
        key=f"chat-{ticket_id}",
        accept_file="multiple" if allow_files else False,
        file_type=attachments.ACCEPT if allow_files else None,
    )
    prompt = typed.text if typed is not None and not isinstance(typed, str) else typed
    if typed is not None and not isinstance(typed, str):
        files = attachments.uploads(typed.files)
    with box:
        sent = post_safely(ticket_id, prompt or "", post) if (prompt or files) else None
        if sent is None:
            sent = unsent_box(ticket_id, post)  # also shows text that just failed to send
        if sent is not None:
            show_own_message(shown.access.user, sent)
            stream_reply(reply, waiting_note=AGENT_TOOK_OVER)
            streamed = True
    if status_changed or any(run.followed_up for run in runs):
        st.rerun(scope="app")  # the status and the buttons above change too (a handover)
    if streamed:
        rerun_fragment()
