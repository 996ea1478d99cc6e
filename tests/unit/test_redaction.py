"""Redaction: measured on a labelled sample with decoys; stable placeholders; restored replies."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from privacy.evaluation import evaluate
from privacy.redaction import RedactingFilter, Redactor, iban_ok, luhn_ok
from tests.support.fakes import FakeModel, FakeReply
from tests.support.services import make_services
from tests.support.users import ADA
from tickets.domain import ConversationRef
from tickets.store import Store

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "redaction_sample.json"


def test_precision_and_recall_on_the_labelled_sample(capsys: pytest.CaptureFixture[str]) -> None:
    score = evaluate(SAMPLE)
    with capsys.disabled():
        print(
            f"\nredaction on {SAMPLE.name}: precision {score.precision:.3f}, recall "
            f"{score.recall:.3f} ({score.true_positives}/{score.labelled} found, "
            f"{score.detected - score.true_positives} false alarms)"
        )
    assert score.precision >= 0.95, score.false_alarms
    assert score.recall >= 0.95, score.misses


def test_checksums() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("DE89 3704 0044 0532 0130 00") and not iban_ok("DE89 3704 0044 0532 0130 01")


def test_placeholders_are_stable_per_ticket_and_differ_between_tickets() -> None:
    a1, a2, b = Redactor("tk-a"), Redactor("tk-a"), Redactor("tk-b")
    text = "write to ada@example.com"
    assert a1.text(text) == a2.text(text) != b.text(text)
    assert a1.text(text).startswith("write to <EMAIL_")
    assert a1.text("write to ADA@example.com") == a1.text(text)  # case does not matter


def test_restorer_handles_placeholders_split_across_chunks() -> None:
    redactor = Redactor("tk-a")
    tag = redactor.text("ada@example.com")
    restorer = redactor.restorer()
    chunks = ["We will write to ", tag[:3], tag[3:9], tag[9:], " today. 1 < 2 > 0"]
    assert restorer.restore(chunks) == "We will write to ada@example.com today. 1 < 2 > 0"


def test_the_model_never_sees_personal_data_and_the_customer_sees_it_back(sqlite: Store) -> None:
    store = sqlite
    model = FakeModel()
    services = make_services(store, model)
    ticket = services.tickets.open_ticket(
        ADA, "Refund", "Refund card 4111 1111 1111 1111, call +44 20 7946 0958, ada@example.com"
    )
    tag = Redactor(ticket.id).text("ada@example.com")
    model.queue(FakeReply(["I'll confirm at ", tag[:4], tag[4:], "."]))
    run = services.assistant.reply(services.tickets.access(ADA, ticket.id))
    assert run is not None
    shown = "".join(run)
    sent = " ".join(m.content for m in model.prompts[0])
    assert "4111" not in sent and "7946" not in sent and "ada@example.com" not in sent
    assert "<CARD_" in sent and "<PHONE_" in sent and tag in sent
    assert shown == "I'll confirm at ada@example.com."
    stored = store.threads.newest(ConversationRef(ticket.id), limit=2)
    assert stored[0].text.startswith("Refund card 4111")  # the transcript keeps the original
    assert stored[1].text == "I'll confirm at ada@example.com."


def test_logs_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redaction")
    log_filter = RedactingFilter()
    caplog.handler.addFilter(log_filter)
    try:
        logger.warning("customer %s paid with %s", "ada@example.com", "4111 1111 1111 1111")
    finally:
        caplog.handler.removeFilter(log_filter)
    assert "ada@example.com" not in caplog.text and "4111" not in caplog.text
    assert "<EMAIL_" in caplog.text
