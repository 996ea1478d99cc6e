"""The helpdesk's pure parts: settings, sealed bytes, snippet expansion, the SLA state
machine, file names, triage parsing and rules."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from common.errors import ConfigError
from config.settings import load_settings
from privacy.crypto import DecryptionFailed, parse_keys
from tests.support.factories import make_ticket
from tickets import triage_rules
from tickets.domain import Priority, Status, utcnow
from tickets.sla import ClockState, SlaClock, SlaTargets, advance
from tickets.snippets import expand, fill
from tickets.triage import parse
from tickets.uploads import clean_file_name, sniff

KEY = "k1:" + base64.b64encode(b"3" * 32).decode()


def test_helpdesk_settings_from_the_environment() -> None:
    settings = load_settings(
        {
            "SLA_FIRST_RESPONSE_MINUTES": "urgent:15, high:45",
            "SLA_WARN_MINUTES": "5",
            "ATTACHMENT_MAX_FILES": "3",
            "ATTACHMENT_MAX_MB": "2",
            "MODEL_ACCEPTS_IMAGES": "true",
        }
    )
    assert settings.sla.target("first", Priority.URGENT) == timedelta(minutes=15)
    assert settings.sla.target("first", Priority.NORMAL) == timedelta(minutes=240)  # default
    assert settings.sla.warn_minutes == 5
    assert (settings.attachments.max_files, settings.attachments.max_bytes) == (3, 2 * 1024**2)
    assert settings.model.accepts_images is True
    for bad in ({"SLA_NEXT_RESPONSE_MINUTES": "soon:5"}, {"SLA_FIRST_RESPONSE_MINUTES": "high:0"}):
        with pytest.raises(ConfigError) as err:
            load_settings(bad)
        assert next(iter(bad)) in err.value.message
    with pytest.raises(ConfigError):
        load_settings({"ATTACHMENT_MAX_FILES": "0"})


def test_a_bucket_needs_firestore_and_a_storage_emulator_needs_a_demo_project() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({"TICKETS_BUCKET": "files"})
    assert "TICKETS_BUCKET" in err.value.message
    with pytest.raises(ConfigError) as emulated:
        load_settings(
            {
                "TICKETS_STORE": "firestore",
                "GOOGLE_CLOUD_PROJECT": "acme-prod",
                "TICKETS_BUCKET": "files",
                "STORAGE_EMULATOR_HOST": "127.0.0.1:9023",
            }
        )
    assert "demo-" in emulated.value.message
    ok = load_settings(
        {
            "TICKETS_STORE": "firestore",
            "FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080",
            "TICKETS_BUCKET": "files",
            "STORAGE_EMULATOR_HOST": "127.0.0.1:9023",
        }
    )
    assert ok.store.bucket == "files" and ok.store.storage_emulator_host == "127.0.0.1:9023"


def test_sealed_bytes_open_only_at_their_path() -> None:
    cipher = parse_keys(KEY)
    blob = cipher.encrypt_bytes(b"\x00secret", "tickets/t1/attachments/a1")
    assert blob.startswith(b"enc:b1:k1:") and b"secret" not in blob
    assert cipher.decrypt_bytes(blob, "tickets/t1/attachments/a1") == b"\x00secret"
    assert cipher.decrypt_bytes(b"plain old bytes", "anything") == b"plain old bytes"
    with pytest.raises(DecryptionFailed):
        cipher.decrypt_bytes(blob, "tickets/t2/attachments/a1")
    with pytest.raises(DecryptionFailed):
        parse_keys("k9:" + base64.b64encode(b"4" * 32).decode()).decrypt_bytes(blob, "x")


def test_snippet_expansion_leaves_what_is_no_shortcut_alone() -> None:
    from tickets.snippets import Snippet

    now = utcnow()
    snippets = [Snippet("hi", "Hi", "Hello {{customer.first_name}}!", "kim", now)]
    values = {"customer.first_name": "Ada"}
    assert expand("/hi", snippets, values) == "Hello Ada!"
    assert expand("a /hi b", snippets, values) == "a Hello Ada! b"
    assert expand("http://x/hi and a/hi and /hit", snippets, values) == (
        "http://x/hi and a/hi and /hit"
    )
    assert fill("{{ customer.first_name }} {{ticket.unknown}}", values) == "Ada {{ticket.unknown}}"


def test_the_sla_state_machine() -> None:
    targets, t0 = SlaTargets(), utcnow()
    handed = make_ticket().with_changes(status=Status.WAITING_ON_AGENT, assistant_active=False)
    clock = advance(SlaClock("t"), handed, t0, targets, responded=False)
    assert (clock.state, clock.kind, clock.cycle) == (ClockState.RUNNING, "first", 1)
    assert clock.due_at == t0 + timedelta(minutes=240)
    assert advance(clock, handed, t0 + timedelta(minutes=5), targets, responded=False) == clock
    waiting = handed.with_changes(status=Status.WAITING_ON_CUSTOMER)
    paused = advance(clock, waiting, t0 + timedelta(minutes=40), targets, responded=False)
    assert paused.state is ClockState.PAUSED and paused.elapsed_s == 40 * 60
    back = advance(paused, handed, t0 + timedelta(hours=30), targets, responded=False)
    assert back.due_at == t0 + timedelta(hours=30, minutes=200) and back.cycle == 1
    answered = advance(back, waiting, t0 + timedelta(hours=31), targets, responded=True)
    assert (answered.state, answered.responses) == (ClockState.IDLE, 1)
    again = advance(answered, handed, t0 + timedelta(hours=40), targets, responded=False)
    assert (again.kind, again.cycle) == ("next", 2)
    ai = handed.with_changes(status=Status.OPEN, assistant_active=True)
    assert advance(again, ai, t0, targets, responded=False).state is ClockState.IDLE
    merged = handed.with_changes(merged_into="tk-other")
    assert advance(again, merged, t0, targets, responded=False).state is ClockState.IDLE
    due = again.due_at
    assert due is not None
    assert again.flag(due - timedelta(minutes=11), 10) == "ok"
    assert again.flag(due - timedelta(minutes=10), 10) == "soon"
    assert again.flag(due, 10) == "breached"


def test_file_names_and_content_sniffing() -> None:
    assert clean_file_name("C:\\Users\\ada\\My Photo.JPG", "image/jpeg") == "My Photo.JPG"
    assert clean_file_name("scan.jpeg", "image/jpeg") == "scan.jpeg"
    assert clean_file_name("\u202eevil\u202c.txt", "text/plain") == "evil.txt"
    assert clean_file_name("", "application/pdf") == "attachment.pdf"
    assert len(clean_file_name("x" * 300 + ".pdf", "application/pdf")) <= 100
    assert sniff("Grüße\nOrder 12".encode()) == "text/plain"
    assert sniff(b"\xff\xfe\x00\x00") is None
    assert sniff(b"GIF89a" + b"\x00" * 20) is None  # a picture type that is not accepted


def test_triage_parsing_and_rules() -> None:
    assert parse('{"priority": "Urgent", "labels": ["kettle", "x"], "language": "de-DE"}') == {
        "priority": Priority.URGENT,
        "labels": ("kettle",),
        "language": "de",
    }
    assert parse("no json here") == {} and parse("[1, 2]") == {}
    suggestion = triage_rules.suggest("Smoke!", "My kettle KT-200 is smoking and sparks came out")
    assert suggestion.priority is Priority.URGENT and "safety" in suggestion.labels
    assert triage_rules.language("¿Dónde está mi pedido? No ha llegado todavía.") == "es"
    assert triage_rules.language("") == "en"
    assert triage_rules.sentiment("Thank you so much, it works great now!") == "positive"
