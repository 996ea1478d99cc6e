"""Grounded answers on both stores, with a fake model at the port: sources stored and in every
export, internal articles never in a customer prompt, another customer's history never
retrieved, the handoff by words and after two failures, invented policy withheld, and the
copilot's draft without internal wording."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema

from assistant.copilot import SUGGEST, SUMMARIZE
from assistant.errors import ModelUnavailable
from assistant.grounding import DECLINE, OFFER_PERSON
from assistant.handoff import HANDING_OVER
from config.bootstrap import Services
from memory.settings import MemorySettings
from tests.support.articles import EXCLUSIONS, LIMITS, save_articles
from tests.support.fakes import FakeModel, FakeReply
from tests.support.services import access, make_services
from tests.support.users import ADA, BOB, KIM
from tickets.domain import AuthorRole, Message, MessageStatus, Source, Status, Visibility
from tickets.queue import QueueFilter
from tickets.store import Store

SCHEMA = json.loads((Path(__file__).parents[2] / "tickets" / "transcript.schema.json").read_text())
REFUND_QUESTION = "How many days do I have to return an item for a refund?"


def grounded(store: Store, model: FakeModel, **kwargs: object) -> Services:
    services = make_services(store, model, **kwargs)  # type: ignore[arg-type]
    save_articles(store.articles)
    return services


def ask(services: Services, ticket_id: str, who: str = ADA.uid) -> Message:
    run = services.assistant.reply(access(services, who, ticket_id))
    assert run is not None
    "".join(run)
    assert run.message is not None
    return run.message


def sent(model: FakeModel, n: int = 0) -> str:
    return "\n".join(m.content for m in model.prompts[n])


def test_a_cited_answer_stores_its_sources_and_every_export_shows_them(store: Store) -> None:
    model = FakeModel().queue(FakeReply(["You can return it within 30 days of delivery. [1]"]))
    services = grounded(store, model)
    ticket = services.tickets.open_ticket(ADA, "Return", REFUND_QUESTION)
    reply = ask(services, ticket.id)
    assert reply.text == "You can return it within 30 days of delivery."  # marker shown as a link
    assert reply.sources == (Source("refund-policy", "Refund policy"),)
    prompt = model.prompts[0]
    assert "30 days of delivery" not in prompt[0].content  # articles are data, not instructions
    assert "[1] Refund policy" in prompt[1].content and prompt[1].role == "user"
    stored = store.threads.get(access(services, ADA.uid, ticket.id).conv, reply.id)
    assert stored is not None and stored.sources == reply.sources
    data = json.loads("".join(services.tickets.export(ADA.uid, ticket.id, "json")))
    jsonschema.validate(data, SCHEMA)
    assert data["messages"][-1]["sources"] == [
        {"articleId": "refund-policy", "title": "Refund policy"}
    ]
    assert Message.from_dict(data["messages"][-1]).sources == reply.sources  # re-importable
    for fmt in ("md", "html"):
        assert "Sources: Refund policy" in "".join(services.tickets.export(ADA.uid, ticket.id, fmt))
    rows = list(
        csv.reader(io.StringIO("".join(services.tickets.export(ADA.uid, ticket.id, "csv"))))
    )
    assert rows[0][-2:] == ["sources", "text"] and rows[-1][-2] == "Refund policy (refund-policy)"


def test_internal_articles_never_reach_the_customer_assistant(store: Store) -> None:
    model = FakeModel()
    services = grounded(store, model)
    ticket = services.tickets.open_ticket(
        ADA, "Refund", "What is the approval limit for refunds that agents can approve?"
    )
    ask(services, ticket.id)
    everything = "\n".join(sent(model, n) for n in range(len(model.prompts)))
    assert "$100" not in everything and "ESC-BILLING" not in everything
    assert LIMITS.title not in everything
    # the agent's copilot may use it
    run = services.copilot.ask(
        access(services, KIM.uid, ticket.id), "What is the approval limit for refunds?"
    )
    "".join(run)
    assert "$100" in sent(model, len(model.prompts) - 1)


def test_an_invented_policy_is_withheld(store: Store) -> None:
    model = FakeModel().queue(FakeReply(["Refunds are paid within 10 business days. [1]"]))
    services = grounded(store, model)
    ticket = services.tickets.open_ticket(ADA, "Refund", REFUND_QUESTION)
    reply = ask(services, ticket.id)
    assert reply.text == f"{DECLINE} {OFFER_PERSON}" and reply.sources == ()


def test_no_matching_article_declines_without_a_model_call(store: Store) -> None:
    model = FakeModel()
    services = grounded(store, model)
    ticket = services.tickets.open_ticket(ADA, "Question", "Do you sell dishwashers?")
    reply = ask(services, ticket.id)
    assert reply.text == f"{DECLINE} {OFFER_PERSON}" and model.prompts == []
    assert services.tickets.ticket(ADA, ticket.id).assistant_active  # one decline: no handoff


def test_handoff_by_words_says_so_and_leaves_a_note_the_queue_shows_first(store: Store) -> None:
    model = FakeModel()
    services = grounded(store, model)
    other = services.tickets.open_ticket(BOB, "Invoice", "My invoice INV-1 is wrong")
    services.tickets.post(access(services, BOB.uid, other.id), "hello again")  # newer activity
    ticket = services.tickets.open_ticket(ADA, "Kettle KT-55120", "My kettle leaks from the base")
    ask(services, ticket.id)
    services.tickets.post(access(services, ADA.uid, ticket.id), "I want to talk to a human")
    reply = ask(services, ticket.id)
    assert reply.text == HANDING_OVER and len(model.prompts) == 1  # no model call for it
    after = services.tickets.ticket(ADA, ticket.id)
    assert after.status is Status.WAITING_ON_AGENT and not after.assistant_active
    assert after.awaits_handoff
    agent_view = services.tickets.thread(access(services, KIM.uid, ticket.id)).messages
    note = next(m for m in agent_view if m.is_internal)
    assert note.author_role is AuthorRole.ASSISTANT and "asked for a person" in note.text
    assert "kettle leaks" in note.text.lower() and "KT-55120" in note.text
    assert "talk to a human" in note.text  # what the customer wants now
    customer_view = services.tickets.thread(access(services, ADA.uid, ticket.id)).messages
    assert all(m.visibility is Visibility.PUBLIC for m in customer_view)
    queue = services.tickets.queue(KIM, QueueFilter())
    assert queue[0].ticket.id == ticket.id  # surfaced first
    assert services.assistant.reply(access(services, ADA.uid, ticket.id)) is None
    services.tickets.post(access(services, KIM.uid, ticket.id), "Hi Ada, Kim here.")
    assert not services.tickets.ticket(KIM, ticket.id).awaits_handoff  # answered


def test_two_declines_in_a_row_hand_the_ticket_over(store: Store) -> None:
    model = FakeModel().queue(
        FakeReply(["I'm not sure about that."]), FakeReply(["I don't know, sorry."])
    )
    services = grounded(store, model)
    ticket = services.tickets.open_ticket(ADA, "Refund", REFUND_QUESTION)
    first = ask(services, ticket.id)
    assert first.text.endswith(OFFER_PERSON) and first.sources == ()
    assert services.tickets.ticket(ADA, ticket.id).assistant_active
    services.tickets.post(access(services, ADA.uid, ticket.id), "Can I get the refund on PayPal?")
    second = ask(services, ticket.id)
    assert "passing your ticket to a person" in second.text
    after = services.tickets.ticket(ADA, ticket.id)
    assert after.status is Status.WAITING_ON_AGENT and after.awaits_handoff
    note = next(m for m in services.tickets.thread(access(services, KIM.uid, ticket.id)).messages
                if m.is_internal)  # fmt: skip
    assert "could not answer twice" in note.text


def test_retrieval_memory_recalls_own_history_never_another_customers(store: Store) -> None:
    model = FakeModel()
    services = grounded(store, model, memory=MemorySettings(strategy="retrieval"))
    bobs = services.tickets.open_ticket(BOB, "Robot", "BOBSECRET the dock blinks red")
    ada_old = services.tickets.open_ticket(ADA, "Robot", "ADAOLD my robovac dock is by the window")
    ticket = services.tickets.open_ticket(ADA, "Kettle", "My kettle leaks")
    for n in range(3):
        services.tickets.post(access(services, ADA.uid, ticket.id), f"message {n} about kettles")
    services.tickets.post(
        access(services, ADA.uid, ticket.id), "What did you say about the dock last week?"
    )
    ask(services, ticket.id)
    prompt = sent(model, len(model.prompts) - 1)
    assert "ADAOLD" in prompt and ada_old.id in prompt
    assert "BOBSECRET" not in prompt and bobs.id not in prompt
    view = services.pages.ticket_page(access(services, ADA.uid, ticket.id)).memory
    assert view.strategy == "retrieval" and any("ADAOLD" in line for line in view.recalled)
    services.tickets.post(access(services, KIM.uid, ticket.id), "note: VIP", internal=True)
    run = services.copilot.ask(access(services, KIM.uid, ticket.id), "Anything about the dock?")
    "".join(run)
    copilot_prompt = sent(model, len(model.prompts) - 1)
    assert "ADAOLD" in copilot_prompt and "BOBSECRET" not in copilot_prompt


def test_the_copilot_draft_never_carries_internal_wording(store: Store) -> None:
    model = FakeModel().queue(
        FakeReply(
            [
                "Good news: your refund of $79.99 is approved. It is within my $100 approval "
                "limit. We filed PSR-2231. You will see it within 5 business days."
            ]
        )
    )
    services = grounded(store, model)
    ticket = services.tickets.open_ticket(ADA, "Refund", "My kettle KT-55120 ($79.99) leaks.")
    kim = access(services, KIM.uid, ticket.id)
    services.tickets.post(
        kim, "Approved $79.99 refund (my $100 approval limit). PSR-2231.", internal=True
    )
    services.tickets.post(access(services, ADA.uid, ticket.id), "When do I get my refund?")
    run = services.copilot.ask(access(services, KIM.uid, ticket.id), SUGGEST)
    "".join(run)
    assert run.message is not None
    draft = run.message.text
    assert "$79.99" in draft and "approved" in draft
    assert "$100" not in draft and "approval limit" not in draft and "PSR" not in draft
    prompt = sent(model)
    assert "When do I get my refund?" in prompt and "Approved $79.99" in prompt
    assert run.message.sources == (Source("refund-policy", "Refund policy"),)


def test_the_copilot_summary_is_not_given_the_header_fields(store: Store) -> None:
    model = FakeModel()
    services = grounded(store, model)
    ticket = services.tickets.open_ticket(ADA, "Subject line XYZ", "My kettle KT-55120 leaks")
    services.tickets.post(access(services, KIM.uid, ticket.id), "Refund approved", internal=True)
    "".join(services.copilot.ask(access(services, KIM.uid, ticket.id), SUMMARIZE))
    prompt = sent(model)
    assert "Subject line XYZ" not in prompt and f"Ticket: {ticket.id}" not in prompt
    assert "KT-55120" in prompt and "Refund approved" in prompt and "Problem" in prompt


def test_a_confident_answer_that_draws_on_no_article_is_withheld(store: Store) -> None:
    model = FakeModel().queue(FakeReply(["Yes, you can pick it up at our warehouse. [1]"]))
    services = grounded(store, model)
    ticket = services.tickets.open_ticket(ADA, "Refund", REFUND_QUESTION)
    reply = ask(services, ticket.id)
    assert reply.text == f"{DECLINE} {OFFER_PERSON}" and reply.sources == ()


# -- evidence first: the answering sentence is found, and checked, before the reply ----------

FOUND = json.dumps({"sentence": "Return any item within 30 days of delivery for a full refund.",
                    "article": 1})  # fmt: skip
INVENTED = json.dumps({"sentence": "You can pick up any order at our warehouse.", "article": 1})


def test_the_answering_sentence_is_pointed_out_to_the_reply_and_charged(store: Store) -> None:
    model = FakeModel(evidence=[FOUND]).queue(FakeReply(["Within 30 days of delivery. [1]"]))
    services = grounded(store, model)
    ticket = services.tickets.open_ticket(ADA, "Return", REFUND_QUESTION)
    reply = ask(services, ticket.id)
    assert reply.text == "Within 30 days of delivery." and reply.sources[0].article_id == (
        "refund-policy"
    )
    step = model.evidence_prompts[0]
    assert REFUND_QUESTION not in step[0].content and REFUND_QUESTION in step[1].content
    assert "[1] Refund policy" in step[1].content
    last = model.prompts[0][-1]  # after the conversation, as reference data
    assert last.role == "user" and last.content.startswith("<reference>")
    assert '"Return any item within 30 days of delivery for a full refund."' in last.content
    assert model.schemas[-1] is not None and model.schemas[-1].name == "article_evidence"
    assert reply.usage is not None and reply.usage.prompt_tokens == 50 + 30  # both calls


def test_a_sentence_no_article_holds_declines_without_writing_a_reply(store: Store) -> None:
    model = FakeModel(evidence=[INVENTED, INVENTED])
    services = grounded(store, model)
    ticket = services.tickets.open_ticket(ADA, "Pickup", "Can I return an item at your warehouse?")
    first = ask(services, ticket.id)
    assert first.text == f"{DECLINE} {OFFER_PERSON}" and model.prompts == []
    services.tickets.post(
        access(services, ADA.uid, ticket.id), "Can I return it at your shop for a refund?"
    )
    second = ask(services, ticket.id)  # the second "I don't know" hands the ticket over
    assert "passing your ticket to a person" in second.text and model.prompts == []
    assert services.tickets.ticket(ADA, ticket.id).awaits_handoff


def test_a_follow_up_about_the_ticket_is_answered_even_without_a_sentence(store: Store) -> None:
    model = FakeModel(evidence=[json.dumps({"sentence": "", "article": 0})]).queue(
        FakeReply(["Your order KT-55120 is the one we are refunding."])
    )
    services = grounded(store, model)
    ticket = services.tickets.open_ticket(ADA, "Refund for KT-55120", "Refund for order KT-55120")
    services.tickets.post(
        access(services, ADA.uid, ticket.id), "Which order is the refund for?"
    )  # the conversation holds the answer
    reply = ask(services, ticket.id)
    assert reply.text == "Your order KT-55120 is the one we are refunding."
    assert len(model.prompts) == 1 and not model.prompts[0][-1].content.startswith("<reference>")


def test_a_failed_evidence_step_fails_the_reply_and_retry_answers(store: Store) -> None:
    model = FakeModel(evidence=[ModelUnavailable(), FOUND]).queue(
        FakeReply(["Within 30 days of delivery. [1]"])
    )
    services = grounded(store, model)
    ticket = services.tickets.open_ticket(ADA, "Return", REFUND_QUESTION)
    failed = ask(services, ticket.id)
    assert failed.status is MessageStatus.FAILED and model.prompts == []
    run = services.assistant.retry(access(services, ADA.uid, ticket.id), failed.id)
    assert run is not None
    "".join(run)
    assert run.message is not None and run.message.id == failed.id
    assert run.message.status is MessageStatus.COMPLETE and run.message.sources


def test_internal_articles_never_reach_the_evidence_step(store: Store) -> None:
    model = FakeModel(evidence=[FOUND])
    services = grounded(store, model)
    ticket = services.tickets.open_ticket(ADA, "Refund approval", REFUND_QUESTION)
    ask(services, ticket.id)
    assert model.evidence_prompts, "the evidence step ran"
    everything = "\n".join(m.content for p in model.evidence_prompts for m in p)
    assert "$100" not in everything and "ESC-BILLING" not in everything


# -- the reply held to the sentences it was pointed to ---------------------------------------

GIFT_CARDS = "Can gift cards be returned?"


def test_a_reply_dropping_its_sentences_not_gets_the_articles_words(store: Store) -> None:
    found = json.dumps({"sentence": "Some items cannot be returned for a refund:", "article": 1})
    model = FakeModel(evidence=[found]).queue(FakeReply(["Yes, gift cards can be returned. [1]"]))
    services = grounded(store, model)
    save_articles(store.articles, EXCLUSIONS)
    ticket = services.tickets.open_ticket(ADA, "Gift card", GIFT_CARDS)
    reply = ask(services, ticket.id)
    assert reply.text.startswith(
        "Here is what our help article **Items that cannot be returned** says:"
    )
    assert reply.text.endswith("\n\n> Some items cannot be returned for a refund: gift cards.")
    assert reply.sources == (
        Source("items-that-cannot-be-returned", "Items that cannot be returned"),
    )
    assert reply.status is MessageStatus.COMPLETE


def test_a_reply_keeping_to_its_sentences_and_a_question_back_are_kept(store: Store) -> None:
    found = json.dumps({"sentence": "Some items cannot be returned for a refund:", "article": 1})
    model = FakeModel(evidence=[found, found]).queue(
        FakeReply(["No, gift cards cannot be returned. [1]"]),
        FakeReply(["Is the gift card still sealed?"]),
    )
    services = grounded(store, model)
    save_articles(store.articles, EXCLUSIONS)
    ticket = services.tickets.open_ticket(ADA, "Gift card", GIFT_CARDS)
    assert ask(services, ticket.id).text == "No, gift cards cannot be returned."
    services.tickets.post(access(services, ADA.uid, ticket.id), "And an e-gift card?")
    assert ask(services, ticket.id).text == "Is the gift card still sealed?"
