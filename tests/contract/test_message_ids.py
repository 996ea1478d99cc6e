"""Message ids a caller chooses, on both stores. An idempotent retry is the same author's
same message in the same conversation; any other message under that id is refused, never
returned or overwritten: someone else's message, an internal note, a reply, a message of
another ticket or of another conversation (the copilot's)."""

from __future__ import annotations

import inspect

import pytest

from assistant.service import AssistantService
from config.bootstrap import Services
from demo.seed import seed_demo
from tests.support.services import access, make_services
from tests.support.users import ADA, BOB, KIM, LEE
from tickets.domain import AuthorRole, ConversationRef, Message
from tickets.errors import Conflict, MessageNotFound
from tickets.store import Store


@pytest.fixture
def services(store: Store) -> Services:
    return make_services(store)


def thread(services: Services, ticket_id: str) -> list[Message]:
    return services.store.threads.after(ConversationRef(ticket_id), after_seq=0, limit=100)


@pytest.fixture
def ticket_id(services: Services) -> str:
    tickets = services.tickets
    ticket = tickets.open_ticket(ADA, "Kettle", "It leaks", message_id="m-ada-first")
    tickets.post(access(services, KIM.uid, ticket.id), "VIP", internal=True, message_id="m-note")
    tickets.post(access(services, KIM.uid, ticket.id), "On it", message_id="m-kim-reply")
    tickets.post(access(services, LEE.uid, ticket.id), "Me too", message_id="m-lee-reply")
    return ticket.id


@pytest.mark.parametrize(
    ("who", "taken", "internal"),
    [
        (ADA.uid, "m-note", False),  # a customer, an internal note's id
        (ADA.uid, "m-kim-reply", False),  # a customer, an agent's reply
        (KIM.uid, "m-lee-reply", False),  # an agent, another agent's reply
        (KIM.uid, "m-note", False),  # the note's own author, but as a public reply
        (KIM.uid, "m-kim-reply", True),  # an agent's public reply id, as a note
        (LEE.uid, "m-ada-first", False),  # an agent, the customer's message
    ],
)
def test_someone_elses_message_id_is_refused(
    services: Services, ticket_id: str, who: str, taken: str, internal: bool
) -> None:
    before = thread(services, ticket_id)
    with pytest.raises(Conflict, match="already used"):
        services.tickets.post(
            access(services, who, ticket_id), "VIP", message_id=taken, internal=internal
        )
    assert thread(services, ticket_id) == before  # nothing returned, changed or added


def test_a_retry_is_the_same_authors_same_message(services: Services, ticket_id: str) -> None:
    ada = access(services, ADA.uid, ticket_id)
    first = services.tickets.post(ada, "Any news?", message_id="m-ada-2")
    again = services.tickets.post(
        access(services, ADA.uid, ticket_id), "Any news?", message_id="m-ada-2"
    )
    assert again == first
    edited = services.tickets.post(
        access(services, ADA.uid, ticket_id), "Any news??", message_id="m-ada-2"
    )
    assert edited.id != first.id and edited.seq == first.seq + 1  # stored after it, not lost


def test_an_id_from_another_ticket_never_reaches_it(services: Services, ticket_id: str) -> None:
    bobs = services.tickets.open_ticket(BOB, "Invoice", "Wrong VAT", message_id="m-bob-first")
    mine = services.tickets.post(
        access(services, ADA.uid, ticket_id), "Hello", message_id="m-bob-first"
    )
    assert mine.author_uid == ADA.uid and mine.text == "Hello"  # a message of her own ticket
    [bob_first] = thread(services, bobs.id)
    assert (bob_first.author_uid, bob_first.text) == (BOB.uid, "Wrong VAT")


def test_the_copilot_checks_ids_in_its_own_conversation(services: Services, ticket_id: str) -> None:
    kim = access(services, KIM.uid, ticket_id)
    run = services.copilot.ask(kim, "Summarize please", message_id="m-q1")
    "".join(run)
    [question, answer] = services.copilot.thread(kim)
    with pytest.raises(Conflict):  # the copilot's own reply, taken as a question id
        services.copilot.ask(access(services, KIM.uid, ticket_id), "x", message_id=answer.id)
    lee = access(services, LEE.uid, ticket_id)
    lee_run = services.copilot.ask(lee, "What now?", message_id="m-q1")  # Lee's own thread
    "".join(lee_run)
    assert services.copilot.thread(lee)[0].text == "What now?"
    assert services.copilot.thread(access(services, KIM.uid, ticket_id))[0] == question
    note_run = services.copilot.ask(access(services, KIM.uid, ticket_id), "Hm", message_id="m-note")
    "".join(note_run)
    note = services.store.threads.get(ConversationRef(ticket_id), "m-note")
    assert note is not None and note.text == "VIP" and note.is_internal  # untouched


def test_a_reply_id_can_only_be_the_assistants_own_reply(
    services: Services, ticket_id: str
) -> None:
    assert "reply_id" not in inspect.signature(AssistantService.reply).parameters
    services.tickets.set_assistant_active(access(services, KIM.uid, ticket_id), True)
    ada = access(services, ADA.uid, ticket_id)
    before = thread(services, ticket_id)
    for taken in ("m-note", "m-kim-reply", "m-ada-first", "m-nothing"):
        with pytest.raises(MessageNotFound):
            services.assistant.retry(access(services, ADA.uid, ticket_id), taken)
    kim = access(services, KIM.uid, ticket_id)
    "".join(services.copilot.ask(kim, "Summarize please"))
    copilot_reply = services.copilot.thread(access(services, KIM.uid, ticket_id))[-1]
    assert copilot_reply.author_role is AuthorRole.ASSISTANT
    with pytest.raises(MessageNotFound):  # a copilot reply is not in the customer's thread
        services.assistant.retry(ada, copilot_reply.id)
    shared = services.assistant.reply(access(services, ADA.uid, ticket_id))
    assert shared is not None
    "".join(shared)
    assert shared.message is not None
    with pytest.raises(MessageNotFound):  # nor the other way round
        services.copilot.retry(access(services, KIM.uid, ticket_id), shared.message.id)
    assert thread(services, ticket_id)[: len(before)] == before


def test_demo_message_ids_are_not_guessable(store: Store, tmp_path: object) -> None:
    seed_demo(store, 12)
    ids = [
        m.id for m in store.threads.after(ConversationRef("tk-demo-invoice"), after_seq=0, limit=9)
    ]
    assert all(len(i) >= 20 and "seed" not in i and "demo" not in i for i in ids)
    assert len(set(ids)) == len(ids)
