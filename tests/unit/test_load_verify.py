"""The load test's check that nothing was lost or duplicated (bench/load/verify.py) catches
each way a conversation can go wrong, and passes a conversation that went right."""

from __future__ import annotations

from pathlib import Path

from bench.load.ledger import Ledger
from bench.load.verify import check_store
from tests.support.factories import agent_says, created, customer_says, make_ticket
from tickets.domain import AuthorRole, ConversationRef, MessageStatus, NewMessage, Ticket
from tickets.ids import new_message_id
from tickets.store import Store


def assistant_says(text: str, status: MessageStatus = MessageStatus.COMPLETE) -> NewMessage:
    return NewMessage(new_message_id(), "assistant", AuthorRole.ASSISTANT, text, status=status)


def conversation(store: Store) -> tuple[Ticket, Ledger]:
    """A ticket as the load test leaves it when all went well, and the ledger that matches."""
    ticket = created(store, make_ticket(), customer_says("My kettle leaks (open-00001)"))
    conv = ConversationRef(ticket.id)
    store.threads.append(conv, assistant_says("Sorry to hear that."))
    store.threads.append(conv, customer_says("Still leaking turn-00002"))
    store.threads.append(conv, assistant_says("Let us look."))
    store.threads.append(conv, agent_says("We are on it agent-00003"))
    ledger = Ledger(tickets={ticket.id: "cust-1"})
    ledger.sent[ticket.id] += ["open-00001", "turn-00002"]
    ledger.agent_replies[ticket.id].append("agent-00003")
    ledger.confirmed += ["open-00001", "turn-00002", "agent-00003"]
    return ticket, ledger


def sent(ledger: Ledger, ticket_id: str, token: str, *, confirmed: bool = True) -> None:
    """The simulated customer sent ``token`` (and, ``confirmed``, saw it sent)."""
    ledger.sent[ticket_id].append(token)
    ledger.confirmed += [token] if confirmed else []


def test_a_conversation_that_went_right_passes(sqlite: Store) -> None:
    _, ledger = conversation(sqlite)
    stats = check_store(sqlite, ledger)
    assert stats == {
        "tickets": 1,
        "messages": 5,
        "sent": 3,
        "replies": 2,
        "lost": 0,
        "duplicated": 0,
        "unconfirmed": 0,
    }


def test_a_message_sent_but_not_stored_is_lost(sqlite: Store) -> None:
    ticket, ledger = conversation(sqlite)
    sent(ledger, ticket.id, "turn-00004")
    ledger.agent_replies[ticket.id].append("agent-00005")
    ledger.confirmed.append("agent-00005")
    problems: list[str] = []
    assert check_store(sqlite, ledger, problems)["lost"] == 2
    assert problems == [
        f"lost: {ticket.id} turn-00004 (sent, not stored)",
        f"lost: {ticket.id} agent-00005 (sent, not stored)",
    ]


def test_a_message_stored_twice_is_duplicated(sqlite: Store) -> None:
    ticket, ledger = conversation(sqlite)
    conv = ConversationRef(ticket.id)
    sqlite.threads.append(conv, customer_says("Still leaking turn-00002"))
    sqlite.threads.append(conv, agent_says("We are on it agent-00003"))
    stats = check_store(sqlite, ledger)
    assert (stats["duplicated"], stats["lost"]) == (2, 0)


def test_two_assistant_replies_to_one_message_are_duplicated(sqlite: Store) -> None:
    ticket, ledger = conversation(sqlite)
    conv = ConversationRef(ticket.id)
    sqlite.threads.append(conv, customer_says("Still leaking turn-00004"))
    sqlite.threads.append(conv, assistant_says("Let us look."))
    sqlite.threads.append(conv, assistant_says("Let us look."))
    sent(ledger, ticket.id, "turn-00004")
    assert check_store(sqlite, ledger)["duplicated"] == 1


def test_a_reply_left_pending_or_failed_is_lost(sqlite: Store) -> None:
    ticket, ledger = conversation(sqlite)
    conv = ConversationRef(ticket.id)
    for n, status in ((4, MessageStatus.PENDING), (5, MessageStatus.FAILED)):
        sqlite.threads.append(conv, customer_says(f"Still leaking turn-0000{n}"))
        sqlite.threads.append(conv, assistant_says("", status))
        sent(ledger, ticket.id, f"turn-0000{n}")
    assert check_store(sqlite, ledger)["lost"] == 2


def test_a_ticket_the_ledger_names_but_the_store_lacks_loses_its_messages(
    sqlite: Store,
) -> None:
    _, ledger = conversation(sqlite)
    ledger.tickets["tk-missing"] = "cust-1"
    sent(ledger, "tk-missing", "open-00009")
    assert check_store(sqlite, ledger)["lost"] == 1


def test_a_send_that_never_finished_is_unconfirmed_not_lost(sqlite: Store) -> None:
    ticket, ledger = conversation(sqlite)
    sent(ledger, ticket.id, "turn-00004", confirmed=False)  # an error shown, or stopped
    problems: list[str] = []
    stats = check_store(sqlite, ledger, problems)
    assert (stats["lost"], stats["unconfirmed"]) == (0, 1)
    assert problems == [f"unconfirmed: {ticket.id} turn-00004 (its send never finished)"]


def test_the_ledger_survives_its_file(tmp_path: Path) -> None:
    ledger = Ledger(tickets={"tk-1": "c"}, errors=["boom"])
    sent(ledger, "tk-1", "turn-00001")
    ledger.timings["turn"].append(0.5)
    path = tmp_path / "ledger.json"
    ledger.save(path)
    again = Ledger.load(path)
    assert again.tickets == {"tk-1": "c"} and again.expected("tk-1") == ["turn-00001"]
    assert (again.timings["turn"], again.errors, again.confirmed) == (
        [0.5],
        ["boom"],
        ["turn-00001"],
    )
