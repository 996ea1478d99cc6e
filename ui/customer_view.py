"""What a customer sees: their tickets, a new-ticket form, and the thread with the assistant."""

from __future__ import annotations

import streamlit as st

from assistant.pipeline import ReplyRun
from common.errors import AppError
from config.bootstrap import Services
from tickets import rendering
from tickets.domain import Message, Status, Ticket, User
from tickets.errors import InvalidInput, NotSignedIn, TicketNotFound
from tickets.ids import new_message_id, new_request_key
from tickets.service import TicketAccess
from tickets.uploads import Upload
from ui import attachments, feedback, helpdesk, live, presence
from ui.auth import sign_out
from ui.components import ago, only_this_ticket_takes_input, rerun_fragment, status_badge
from ui.conversation import KeptDraft, post_safely, show_own_message, stream_reply, unsent_box
from ui.exports import export_menu
from ui.follow import follow
from ui.memory_panel import memory_panel, sources_used
from ui.thread import page_limit, show_thread

NEW = "new"
AGENT_TOOK_OVER = "A support agent is handling this ticket and will reply here."
PERSON_ANSWERS = "A person from our support team will answer you here."
KEEP_WRITING = (
    "The assistant will not reply meanwhile; add any details below and they will see them."
)


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
        st.button("← Back to my tickets", on_click=_back_to_my_tickets)
        return
    _ticket_page(services, access)


def _select(ticket_id: str) -> None:
    st.query_params["ticket"] = ticket_id


def _back_to_my_tickets() -> None:
    """The newest of their tickets (the new-ticket form only when they have none)."""
    st.query_params.pop("ticket", None)


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
    only_this_ticket_takes_input(ticket.id)
    st.header(rendering.inline(ticket.subject), anchor=False)
    st.markdown(f"{status_badge(ticket)} · `{ticket.id}` · opened {ago(ticket.created_at)}")
    # One container each, whatever they hold: an element appearing in them (a confirmation,
    # the CSAT question once resolved) never moves the conversation below, which would
    # remount its chat input and lose a half-typed message.
    with st.container():
        _actions(services, access)
    with st.container():
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


def a_person_answers(ticket: Ticket) -> bool:
    """The ticket is with the support team: the assistant does not reply to it."""
    return ticket.status is Status.WAITING_ON_AGENT or (
        not ticket.assistant_active and ticket.status is not Status.RESOLVED
    )


def _actions(services: Services, access: TicketAccess) -> None:
    """One row under the header: ask for a person (or that a person answers), and export.
    The confirmation of a request shows right here, where the button was."""
    ticket = access.ticket
    asked_key = f"asked-person:{ticket.id}"
    with st.container(horizontal=True, vertical_alignment="center", key="ticket-actions"):
        if not a_person_answers(ticket) and st.button(
            "🙋 Ask for a person", key=f"ask-person-{ticket.id}"
        ):
            services.assistant.request_person(access)
            st.session_state[asked_key] = True
            st.rerun()  # the header, the sidebar and this row change
        export_menu(services, access)
        if a_person_answers(ticket) and not st.session_state.get(asked_key):
            st.caption(f"🎧 {PERSON_ANSWERS}")
    if st.session_state.pop(asked_key, False):
        st.success(f"**{PERSON_ANSWERS}** {KEEP_WRITING}", icon="🙋")


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
        memory_panel(page.memory, page.budget, sources=sources_used(page.thread.messages))

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

    kept = KeptDraft(
        read=lambda: services.drafts.get(checked()),
        keep=lambda text: services.drafts.keep(checked(), text),
        discard=lambda: services.drafts.discard(checked()),
    )

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
        sent = None
        if prompt is not None or files:
            sent = post_safely(ticket_id, prompt or "", post, kept, with_files=bool(files))
        if sent is None:
            sent = unsent_box(ticket_id, post, kept)  # also text that just failed to send
        if sent is not None:
            show_own_message(shown.access.user, sent)
            stream_reply(reply, waiting_note=AGENT_TOOK_OVER)
            streamed = True
    follow(f"{uid}:{ticket_id}")  # opens at the newest message and keeps it in view
    if status_changed or any(run.followed_up for run in runs):
        st.rerun(scope="app")  # the status and the buttons above change too (a handover)
    if streamed:
        rerun_fragment()
