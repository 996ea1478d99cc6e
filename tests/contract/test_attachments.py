"""Attachments on both stores (the embedded folder; Cloud Storage on its local emulator):
who may fetch what, limits, types from content, metadata stripped, bytes sealed."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from config.bootstrap import Services
from tests.support import files
from tests.support.services import access, make_services
from tests.support.users import ADA, BOB, KIM
from tickets.attachments import object_path
from tickets.errors import AttachmentNotFound, InvalidInput, TicketNotFound
from tickets.store import Store
from tickets.uploads import AttachmentLimits, Upload


@pytest.fixture
def services(store: Store) -> Services:
    return make_services(store)


def open_with_files(services: Services, *uploads: Upload, text: str = "See attached") -> Any:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks from the base")
    message = services.tickets.post(access(services, ADA.uid, ticket.id), text, files=uploads)
    return ticket, message


def test_files_live_outside_the_message_and_only_those_who_see_the_thread_get_them(
    services: Services, store: Store
) -> None:
    ticket, message = open_with_files(services, files.photo(), files.pdf(), files.text())
    kinds = [(a.name, a.content_type) for a in message.attachments]
    assert kinds == [
        ("kettle.jpg", "image/jpeg"),
        ("receipt.pdf", "application/pdf"),
        ("notes.txt", "text/plain"),
    ]
    stored = store.threads.get(access(services, ADA.uid, ticket.id).conv, message.id)
    assert stored is not None and stored.attachments == message.attachments
    for who in (ADA.uid, KIM.uid):
        meta, data = services.tickets.attachment(
            access(services, who, ticket.id), message.id, message.attachments[1].id
        )
        assert data == files.PDF and meta.name == "receipt.pdf"
    with pytest.raises(TicketNotFound):  # another customer can't even open the ticket
        services.tickets.attachment(access(services, BOB.uid, ticket.id), message.id, "a-x")
    # nor reach the file through a ticket of their own, whatever ids they guess
    bobs = services.tickets.open_ticket(BOB, "Invoice", "Wrong VAT")
    with pytest.raises(AttachmentNotFound):
        services.tickets.attachment(
            access(services, BOB.uid, bobs.id), message.id, message.attachments[1].id
        )
    bob_message = services.tickets.post(
        access(services, BOB.uid, bobs.id), "mine", files=[files.pdf()]
    )
    with pytest.raises(AttachmentNotFound):  # his message, her file's id: not on his message
        services.tickets.attachment(
            access(services, BOB.uid, bobs.id), bob_message.id, message.attachments[1].id
        )


def test_a_file_on_an_internal_note_is_never_served_to_the_customer(services: Services) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    note = services.tickets.post(
        access(services, KIM.uid, ticket.id),
        "Warehouse photo",
        internal=True,
        files=[files.photo()],
    )
    file_id = note.attachments[0].id
    meta, _ = services.tickets.attachment(access(services, KIM.uid, ticket.id), note.id, file_id)
    assert meta.is_image
    for thumbnail in (False, True):
        with pytest.raises(AttachmentNotFound):
            services.tickets.attachment(
                access(services, ADA.uid, ticket.id), note.id, file_id, thumbnail=thumbnail
            )


def test_pictures_are_reencoded_without_metadata_and_get_a_thumbnail(services: Services) -> None:
    ticket, message = open_with_files(
        services,
        files.photo(),
        Upload("shot.png", files.png_with_text()),
        Upload("w.webp", files.webp()),
    )
    ada = access(services, ADA.uid, ticket.id)
    jpeg, png, webp = message.attachments
    _, data = services.tickets.attachment(ada, message.id, jpeg.id)
    assert b"TRAILING-SECRET" not in data and b"secret comment" not in data
    assert b"Ada Lovelace" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.size == (800, 600) == (jpeg.width, jpeg.height)
        assert not image.getexif() and "exif" not in image.info
    _, data = services.tickets.attachment(ada, message.id, png.id)
    assert b"Baker Street" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and not image.text  # type: ignore[attr-defined]
    _, data = services.tickets.attachment(ada, message.id, webp.id)
    assert Image.open(io.BytesIO(data)).format == "WEBP"
    _, thumb = services.tickets.attachment(ada, message.id, jpeg.id, thumbnail=True)
    with Image.open(io.BytesIO(thumb)) as image:
        assert image.format == "JPEG" and max(image.size) == 320


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (Upload("photo.png", files.TEXT), ("photo.png.txt", "text/plain")),
        (Upload("notes.txt", files.png_with_text()), ("notes.txt.png", "image/png")),
        (Upload("../../etc/passwd", files.TEXT), ("passwd.txt", "text/plain")),
        (Upload("scan", files.PDF), ("scan.pdf", "application/pdf")),
    ],
    ids=["text-named-png", "png-named-txt", "path", "no-extension"],
)
def test_the_type_comes_from_the_content_not_the_name(
    services: Services, upload: Upload, expected: tuple[str, str]
) -> None:
    _, message = open_with_files(services, upload)
    assert (message.attachments[0].name, message.attachments[0].content_type) == expected


@pytest.mark.parametrize(
    "upload",
    [
        Upload("invoice.pdf", files.EXE),
        Upload("photo.jpg", b"\xff\xd8\xff\xe0 not really a jpeg"),
        Upload("archive.txt", b"PK\x03\x04" + b"\x00" * 40),
        Upload("empty.txt", b""),
        Upload("binary.txt", b"\x00\x01\x02 data"),
    ],
    ids=["exe-named-pdf", "broken-jpeg", "zip-named-txt", "empty", "binary"],
)
def test_files_of_other_types_are_refused_and_nothing_is_stored(
    services: Services, store: Store, upload: Upload
) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    ada = access(services, ADA.uid, ticket.id)
    with pytest.raises(InvalidInput) as refused:
        services.tickets.post(ada, "Here", files=[files.pdf(), upload])
    assert "Nothing was sent" in refused.value.message
    assert [m.seq for m in store.threads.newest(ada.conv, limit=10)] == [1]


def test_limits_per_message_in_files_and_bytes(services: Services, store: Store) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    ada = access(services, ADA.uid, ticket.id)
    with pytest.raises(InvalidInput) as too_many:
        services.tickets.post(ada, "Six", files=[files.text(f"n{i}.txt") for i in range(6)])
    assert "the limit is 5 per message" in too_many.value.message
    services.tickets.file_limits = AttachmentLimits(max_files=5, max_bytes=200)
    with pytest.raises(InvalidInput) as too_big:
        services.tickets.post(ada, "Big", files=[files.pdf(), files.pdf("b.pdf")])
    assert "the limit is 200 B per message" in too_big.value.message
    services.tickets.file_limits = AttachmentLimits(max_pixels=100 * 100)
    with pytest.raises(InvalidInput) as huge:
        services.tickets.post(ada, "Huge", files=[files.photo()])
    assert "megapixels" in huge.value.message or "pixels" in huge.value.message
    assert [m.seq for m in store.threads.newest(ada.conv, limit=10)] == [1]


def test_files_without_text_retries_and_a_reused_id_cannot_overwrite_files(
    services: Services, store: Store
) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    ada, kim = access(services, ADA.uid, ticket.id), access(services, KIM.uid, ticket.id)
    with pytest.raises(InvalidInput):
        services.tickets.post(ada, "   ")
    first = services.tickets.post(ada, " ", message_id="m-files-1", files=[files.photo()])
    again = services.tickets.post(ada, " ", message_id="m-files-1", files=[files.photo()])
    assert first.text == "" and first.seq == again.seq and first.attachments == again.attachments
    agents = services.tickets.post(kim, "Label", message_id="m-agent-1", files=[files.pdf()])
    # the customer reuses the agent's message id with a file of her own: refused, and the
    # agent's file is untouched (her file would have had another id and path anyway)
    with pytest.raises(Exception):  # noqa: B017 - Conflict, whatever its wording
        services.tickets.post(ada, "Label", message_id="m-agent-1", files=[files.text()])
    _, data = services.tickets.attachment(kim, agents.id, agents.attachments[0].id)
    assert data == files.PDF
    path = object_path(ticket.id, agents.attachments[0].id)
    assert store.blobs.get(path) == files.PDF


def test_the_model_is_told_of_a_file_it_cannot_see(services: Services, store: Store) -> None:
    model = services.model
    ticket, _ = open_with_files(services, files.photo(), text="")
    run = services.assistant.reply(access(services, ADA.uid, ticket.id))
    assert run is not None
    list(run)
    prompt = model.prompts[-1]  # type: ignore[attr-defined]
    last_user = [m for m in prompt if m.role == "user"][-1]
    assert "[Attached: kettle.jpg (image," in last_user.content
    assert not last_user.images


def test_a_model_that_accepts_images_gets_the_newest_pictures(store: Store) -> None:
    services = make_services(store)
    services.assistant.config = replace(services.assistant.config, accepts_images=True)
    ticket, _ = open_with_files(services, files.photo(), files.pdf(), text="What is this?")
    run = services.assistant.reply(access(services, ADA.uid, ticket.id))
    assert run is not None
    list(run)
    last_user = [m for m in services.model.prompts[-1] if m.role == "user"][-1]  # type: ignore[attr-defined]
    assert len(last_user.images) == 1 and last_user.images[0].startswith("data:image/jpeg;base64,")
    assert last_user.as_openai()["content"][1]["type"] == "image_url"


def test_firestore_without_a_bucket_says_how_to_set_attachments_up(
    firestore_client: Any, tmp_path: Path
) -> None:
    from storage.firestore import firestore_store

    services = make_services(firestore_store(firestore_client)[0])
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    with pytest.raises(InvalidInput) as refused:
        services.tickets.post(access(services, ADA.uid, ticket.id), "hi", files=[files.pdf()])
    assert "TICKETS_BUCKET" in refused.value.message
    assert services.store.blobs.available is False


@pytest.fixture(params=["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)])
def sealed(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A store that encrypts at rest, and a way to read and write its raw bytes."""
    import base64

    from privacy.crypto import parse_keys
    from storage.firestore import firestore_store
    from storage.sealing import Sealer
    from storage.sqlite import sqlite_store

    sealer = Sealer(parse_keys("k1:" + base64.b64encode(b"7" * 32).decode()))
    if request.param == "sqlite":
        store = sqlite_store(tmp_path / "sealed.db", sealer)
        root = tmp_path / "attachments"

        def raw_get(path: str) -> bytes:
            return (root / path).read_bytes()

        def raw_put(path: str, data: bytes) -> None:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(data)

    else:
        bucket = request.getfixturevalue("bucket")
        client = request.getfixturevalue("firestore_client")
        store = firestore_store(client, sealer, bucket=bucket)[0]

        def raw_get(path: str) -> bytes:
            return bytes(bucket.blob(path).download_as_bytes())

        def raw_put(path: str, data: bytes) -> None:
            bucket.blob(path).upload_from_string(data)

    yield store, raw_get, raw_put
    if store.backend == "sqlite":
        store.close()


def test_file_bytes_are_sealed_at_rest_and_bound_to_their_path(sealed: Any) -> None:
    from privacy.crypto import DecryptionFailed

    store, raw_get, raw_put = sealed
    services = make_services(store)
    ticket, message = open_with_files(services, files.text(), files.photo())
    text_file = message.attachments[0]
    path = object_path(ticket.id, text_file.id)
    raw = raw_get(path)
    assert raw.startswith(b"enc:b1:k1:") and b"KT-55120" not in raw
    _, data = services.tickets.attachment(
        access(services, ADA.uid, ticket.id), message.id, text_file.id
    )
    assert data == files.TEXT
    stored = store.threads.get(access(services, ADA.uid, ticket.id).conv, message.id)
    assert stored.attachments[0].name == "notes.txt"  # the name reads back (sealed in the doc)
    other = services.tickets.open_ticket(ADA, "Other", "Another ticket")
    raw_put(object_path(other.id, text_file.id), raw)  # copied to another ticket's path
    with pytest.raises(DecryptionFailed):
        store.blobs.get(object_path(other.id, text_file.id))


def test_exports_list_files_and_the_json_export_can_carry_them(services: Services) -> None:
    import base64
    import json

    import jsonschema

    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "tickets/transcript.schema.json").read_text()
    )
    ticket, _ = open_with_files(services, files.pdf(), files.photo())
    services.tickets.post(
        access(services, KIM.uid, ticket.id),
        "Label",
        internal=True,
        files=[files.text("label.txt")],
    )
    listed = json.loads("".join(services.tickets.export(ADA.uid, ticket.id, "json")))
    jsonschema.validate(listed, schema)
    names = [a["name"] for m in listed["messages"] for a in m.get("attachments", ())]
    assert names == ["receipt.pdf", "kettle.jpg"]  # not the internal note's file
    assert all("content" not in a for m in listed["messages"] for a in m.get("attachments", ()))
    full = json.loads(
        "".join(
            services.tickets.export(
                KIM.uid, ticket.id, "json", include_internal=True, include_files=True
            )
        )
    )
    jsonschema.validate(full, schema)
    carried = {a["name"]: a["content"] for m in full["messages"] for a in m.get("attachments", ())}
    assert base64.b64decode(carried["receipt.pdf"]) == files.PDF
    assert base64.b64decode(carried["label.txt"]) == files.TEXT
    for fmt in ("md", "html", "csv"):
        text = "".join(services.tickets.export(ADA.uid, ticket.id, fmt))
        assert "receipt.pdf (PDF," in text.replace("\\", "") and "label.txt" not in text
