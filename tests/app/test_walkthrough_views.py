"""What a person met in the walkthrough, through AppTest: "Ask for a person" confirms in
place and the bot stops, "Back" goes back, the agent's note looks like a note and the box
returns to a reply, names not user ids, labels in view, export names, counts as filters."""

from __future__ import annotations

from dataclasses import replace

from streamlit.testing.v1 import AppTest

from config.bootstrap import Services
from demo.seed import LONG_TICKET
from memory.summary import replace_if_version
from tests.support.apptest import run_app, unescaped
from tests.support.fakes import FakeModel, FakeReply
from tickets.domain import ConversationRef, Status
from ui.exports import file_name


def shown(at: AppTest) -> str:
    parts = [*at.markdown, *at.caption, *at.success, *at.info, *at.error, *at.header]
    return unescaped("\n".join(str(p.value) for p in parts))


def buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def test_asking_for_a_person_confirms_in_place_and_the_bot_stops(
    services: Services, model: FakeModel
) -> None:
    at = run_app("cust-ada", "tk-demo-kettle")
    next(b for b in at.button if "Ask for a person" in b.label).click().run()
    ticket = services.store.tickets.get("tk-demo-kettle")
    assert ticket is not None and ticket.status is Status.WAITING_ON_AGENT
    assert not ticket.assistant_active
    [confirmation] = at.success
    assert "A person from our support team will answer you here" in str(confirmation.value)
    assert not any("Ask for a person" in label for label in buttons(at))
    later = run_app("cust-ada", "tk-demo-kettle")  # the statement stays, without the toast
    assert "A person from our support team will answer you here" in shown(later)
    assert not later.success
    prompts = len(model.prompts)
    later.chat_input(key="chat-tk-demo-kettle").set_value("Also: the lid is loose.").run()
    assert len(model.prompts) == prompts  # the bot does not answer any more
    newest = services.store.threads.newest(ConversationRef("tk-demo-kettle"), limit=1)[0]
    assert newest.text == "Also: the lid is loose."


def test_back_to_my_tickets_goes_to_their_tickets_not_the_new_ticket_form(
    services: Services,
) -> None:
    at = run_app("cust-ada", "tk-nonexistent")
    next(b for b in at.button if "Back to my tickets" in b.label).click().run()
    assert "ticket" not in at.query_params
    assert "Open a ticket" not in shown(at)
    ada = services.store.users.get("cust-ada")
    assert ada is not None
    newest = services.tickets.my_tickets(ada)[0]
    assert at.header[0].value == newest.subject  # their newest ticket, opened


def test_an_agents_note_looks_like_a_note_and_the_box_returns_to_reply(
    services: Services,
) -> None:
    at = run_app("agent-kim", "tk-demo-kettle")
    assert "only agents see it" not in shown(at)
    at.radio(key="kind-tk-demo-kettle").set_value("Internal note").run()
    assert "Internal note: only agents see it" in shown(at)
    assert "Add internal note" in buttons(at) and "Send" not in buttons(at)
    at.text_area(key="draft:tk-demo-kettle").set_value("Checked the seal batch.").run()
    next(b for b in at.button if b.label == "Add internal note").click().run()
    newest = services.store.threads.newest(ConversationRef("tk-demo-kettle"), limit=1)[0]
    assert newest.is_internal and newest.text == "Checked the seal batch."
    assert at.radio(key="kind-tk-demo-kettle").value == "Public reply"
    assert "Send" in buttons(at) and "only agents see it" not in shown(at)


def test_agents_see_names_and_labels_never_user_ids(services: Services) -> None:
    at = run_app("agent-lee", "tk-demo-refund")
    text = shown(at)
    assert "assigned to Kim Park" in text
    assert "Agent · Kim Park" in text
    assert "Labels: refund" in text
    assert "agent-kim" not in text and "cust-ada" not in text


def test_public_and_internal_exports_have_different_file_names() -> None:
    public = file_name("tk-1", "md", internal=False)
    internal = file_name("tk-1", "md", internal=True)
    assert public != internal and "internal" in internal and "internal" not in public
    assert public.endswith(".md") and internal.endswith(".md")


def test_the_queue_counts_are_filters(services: Services) -> None:
    at = run_app("agent-kim")
    counts = [b for b in at.sidebar.button if b.key and b.key.startswith("count-")]
    labels = [b.label for b in counts]
    assert any(label.startswith("Mine ") for label in labels)
    waiting = next(b for b in counts if b.label.startswith("Waiting on agent"))
    waiting.click().run()
    assert at.multiselect(key="queue-status").value == [Status.WAITING_ON_AGENT]
    queue = " ".join(b.label for b in at.sidebar.button if b.key and b.key.startswith("queue-tk"))
    assert "VAT" in queue and "Kettle" not in queue
    next(b for b in at.sidebar.button if b.label.startswith("Mine ")).click().run()
    assert at.segmented_control(key="queue-scope").value == "mine"
    assert len(at.multiselect(key="queue-status").value) == 3


def test_the_memory_panel_says_what_the_assistant_remembers(
    services: Services, model: FakeModel
) -> None:
    conv = ConversationRef(LONG_TICKET)
    current = services.store.checkpoints.get(conv)
    assert current is not None
    remembered = replace(
        current,
        summary="- #12 Customer: the kettle **leaks** from the base\n- #40 Agent: refund approved",
        facts=("Order KT-55120", "Bought on 2026-11-02"),
        version=current.version + 1,
    )
    assert services.store.checkpoints.revise(conv, replace_if_version(current.version, remembered))
    model.queue(FakeReply(["Yes, the 2-year warranty covers a leaking base."]))
    at = run_app("cust-ada", LONG_TICKET)
    at.chat_input(key=f"chat-{LONG_TICKET}").set_value("Is a leak under warranty?").run()
    at = run_app("cust-ada", LONG_TICKET)  # as the page shows it after the reply
    text = shown(at)
    assert "Its summary of the earlier messages" in text
    assert "the kettle **leaks** from the base" in text  # Markdown, rendered by the policy
    assert "#12" not in text and "#40" not in text  # no internal numbering for customers
    assert "Facts it keeps in mind" in text and "Order KT-55120" in text
    assert "Read word for word:** the newest" in text
    newest = services.store.threads.newest(conv, limit=1)[0]
    assert newest.sources  # the reply was grounded: the panel names its articles
    assert "Help articles it used" in text
    assert all(s.title in text for s in newest.sources)
    assert "tokens" not in " ".join(str(p.proto.text) for p in at.get("progress"))


def test_an_agents_markdown_reply_shows_as_written_in_the_thread_and_the_exports(
    services: Services,
) -> None:
    from markdown_it import MarkdownIt

    typed = "**Good news**: your refund is approved.\nIt arrives in 3 days."
    at = run_app("agent-kim", "tk-demo-refund")
    at.text_area(key="draft:tk-demo-refund").set_value(typed).run()
    next(b for b in at.button if b.label == "Send").click().run()
    customer = run_app("cust-ada", "tk-demo-refund")
    body = next(
        str(md.value) for m in customer.chat_message for md in m.markdown if "Good news" in md.value
    )
    html = MarkdownIt("commonmark").render(body)  # what Streamlit's Markdown shows
    assert "<strong>Good news</strong>" in html and "<br" in html
    html_export = "".join(services.tickets.export("cust-ada", "tk-demo-refund", "html"))
    assert "<strong>Good news</strong>" in html_export and "<br" in html_export
    md_export = "".join(services.tickets.export("cust-ada", "tk-demo-refund", "md"))
    assert "**Good news**" in md_export and "\\*\\*" not in md_export
    rendered = MarkdownIt("commonmark").render(md_export)
    assert "<strong>Good news</strong>" in rendered
