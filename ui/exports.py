"""The export menu of a ticket page: a format, and for agents whether internal notes go in.

A public transcript and one with internal notes get different file names, so neither
overwrites the other in a downloads folder and nobody sends the wrong one by mistake.
"""

from __future__ import annotations

import streamlit as st

from config.bootstrap import Services
from tickets.export import FORMATS
from tickets.service import TicketAccess
from ui.components import export_button

FORMAT_NAMES = {"md": "Markdown", "html": "HTML (printable)", "json": "JSON", "csv": "CSV"}


def file_name(ticket_id: str, fmt: str, *, internal: bool) -> str:
    kind = "with-internal-notes" if internal else "transcript"
    return f"{ticket_id}-{kind}.{fmt}"


def export_menu(services: Services, access: TicketAccess) -> None:
    """The "⬇ Export" popover (outside every fragment: a deferred download in a polling
    fragment never delivered its file)."""
    ticket_id, uid = access.ticket.id, access.user.uid
    with st.popover("⬇ Export"):
        fmt = st.radio(
            "Format",
            list(FORMAT_NAMES),
            format_func=FORMAT_NAMES.__getitem__,
            horizontal=True,
            key=f"fmt-{ticket_id}",
        )
        internal = access.user.is_agent and st.checkbox(
            "Include internal notes", key=f"int-{ticket_id}"
        )
        st.caption(
            "🔒 For agents only: internal notes included."
            if internal
            else "What the customer can see: no internal notes."
        )
        export_button(
            "Download transcript",
            lambda: services.tickets.export(uid, ticket_id, fmt, include_internal=internal),
            file_name(ticket_id, fmt, internal=internal),
            FORMATS[fmt],
            # one button per file: a click cannot land on the last format's while it is redrawn
            key=f"dl-{ticket_id}-{fmt}-{'internal' if internal else 'public'}",
        )
