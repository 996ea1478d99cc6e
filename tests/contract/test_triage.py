"""Triage at intake on both stores, with a fake model that misbehaves the way small models do:
structured output asked with a schema, leniently read, rules for what the model got wrong,
agents accept or override, the assistant replies in the customer's language."""

from __future__ import annotations

import pytest

from assistant.errors import ModelUnavailable
from config.bootstrap import Services
from tests.support.fakes import FakeModel
from tests.support.services import access, make_services
from tests.support.users import ADA, KIM
from tickets import triage_rules
from tickets.domain import Priority
from tickets.errors import AccessDenied
from tickets.store import Store
from tickets.triage import SCHEMA

TEXT = "Sie haben mich doppelt abgebucht, ich will mein Geld zurück!"


@pytest.fixture
def model() -> FakeModel:
    return FakeModel()


@pytest.fixture
def services(store: Store, model: FakeModel) -> Services:
    return make_services(store, model)


def opened(services: Services, subject: str, text: str) -> str:
    ticket = services.tickets.open_ticket(ADA, subject, text)
    services.triage.start(ticket)  # run_later runs at once in the tests
    return ticket.id


def test_suggestions_come_from_the_model_with_a_schema(
    services: Services, model: FakeModel, store: Store
) -> None:
    model.triage.append(
        '{"priority": "urgent", "sentiment": "negative", "language": "de", '
        '"labels": ["kettle", "safety"]}'
    )
    ticket_id = opened(services, "Wasserkocher raucht", "Aus meinem Wasserkocher kommt Rauch!")
    assert model.schemas[-1] is not None and model.schemas[-1].schema == SCHEMA
    prompt = model.prompts[-1]
    assert prompt[0].role == "system" and "Rauch" not in prompt[0].content  # customer text:
    assert "Rauch" in prompt[1].content and prompt[1].role == "user"  # reference data only
    record = store.triage.get(ticket_id)
    assert record is not None and record.source == "model"
    assert (record.suggested.priority, record.suggested.language) == (Priority.URGENT, "de")
    assert record.suggested.labels == ("kettle", "safety")
    ticket = store.tickets.get(ticket_id)
    assert ticket is not None and ticket.priority is Priority.NORMAL  # only suggested


@pytest.mark.parametrize(
    ("answer", "source"),
    [
        (
            'Sure! ```json\n{"priority": "HIGH", "sentiment": "angry", "language": "German", '
            '"labels": ["refund", "spaceship"]}```',
            "model+rules",
        ),
        ("The customer seems upset about a refund.", "rules"),
        (
            '{"priority": "high", "sentiment": "negative", "language": "de", "labels": ["refund"',
            "rules",
        ),
    ],
    ids=["partly-valid", "prose", "cut-off"],
)
def test_a_model_that_misbehaves_is_completed_by_the_rules(
    services: Services, model: FakeModel, store: Store, answer: str, source: str
) -> None:
    model.triage.append(answer)
    ticket_id = opened(services, "Doppelt abgebucht", TEXT)
    record = store.triage.get(ticket_id)
    assert record is not None and record.source == source
    assert record.suggested.language == "de"  # "German" is no code: the rules found it
    assert "refund" in record.suggested.labels and "spaceship" not in record.suggested.labels
    rules = triage_rules.suggest("Doppelt abgebucht", TEXT)
    assert record.suggested.sentiment == rules.sentiment  # "angry" is no sentiment


def test_a_failing_model_still_gets_a_complete_suggestion(
    services: Services, model: FakeModel, store: Store
) -> None:
    model.triage.append(ModelUnavailable("connection failed"))
    ticket_id = opened(services, "Mot de passe", "Je ne peux pas me connecter à mon compte.")
    record = store.triage.get(ticket_id)
    assert record is not None and record.source == "rules"
    assert record.suggested.language == "fr" and "account" in record.suggested.labels


def test_agents_accept_or_override_and_customers_see_nothing(
    services: Services, model: FakeModel, store: Store
) -> None:
    model.triage.append(
        '{"priority": "high", "sentiment": "negative", "language": "en", "labels": ["billing"]}'
    )
    ticket_id = opened(services, "Charged twice", "You charged my card twice for order 4411!")
    with pytest.raises(AccessDenied):
        services.triage.record(access(services, ADA.uid, ticket_id))
    with pytest.raises(AccessDenied):
        services.triage.decide(access(services, ADA.uid, ticket_id), priority="low", labels=[])
    kim = access(services, KIM.uid, ticket_id)
    services.tickets.set_labels(kim, ["vip"])
    kim = access(services, KIM.uid, ticket_id)
    ticket = services.triage.decide(kim, priority="urgent", labels=["billing", "refund"])
    assert ticket.priority is Priority.URGENT and ticket.labels == ("vip", "billing", "refund")
    record = services.triage.record(access(services, KIM.uid, ticket_id))
    assert record is not None and record.decision == "overridden" and record.decided_by == KIM.uid
    assert record.final is not None and record.final.priority is Priority.URGENT
    assert record.suggested.priority is Priority.HIGH  # what was suggested stays known


def test_the_assistant_replies_in_the_customers_language(
    services: Services, model: FakeModel
) -> None:
    model.triage.append(
        '{"priority": "normal", "sentiment": "neutral", "language": "es", "labels": []}'
    )
    ticket_id = opened(services, "Pedido", "¿Dónde está mi pedido? No ha llegado.")
    run = services.assistant.reply(access(services, ADA.uid, ticket_id))
    assert run is not None
    list(run)
    system = model.prompts[-1][0]
    assert system.role == "system" and "Reply in Spanish." in system.content
