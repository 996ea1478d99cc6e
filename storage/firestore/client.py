"""One Firestore client per process, built from settings."""

from __future__ import annotations

import logging
import os
from typing import Any

from storage.settings import StoreSettings, check_emulator_project

log = logging.getLogger(__name__)


def bound_call_deadlines(client: Any, seconds: float) -> bool:
    """Cap how long any Firestore call retries before giving up.

    The library's defaults retry an unreachable database for 60-300 s, so a user would stare at
    a spinner for minutes; with this, the store raises ``StoreUnavailable`` after ``seconds``
    and the UI keeps the draft for a retry. It tunes the generated client's per-method
    defaults (the retry predicates stay the library's own); if a future library version
    changes those internals, nothing is changed and ``False`` is returned.
    """
    try:
        wrapped = client._firestore_api._transport._wrapped_methods
        for _method, callable_ in list(wrapped.items()):
            if callable_._retry is not None:
                callable_._retry = callable_._retry.with_timeout(seconds).with_delay(maximum=2.0)
            callable_._timeout = seconds
    except AttributeError:
        log.warning("could not bound Firestore call deadlines; library internals changed")
        return False
    return True


def make_firestore_client(store: StoreSettings) -> Any:
    """A ``google.cloud.firestore.Client``: anonymous on the emulator, ADC or a key file else."""

    check_emulator_project(store)
    client = _client(store)
    bound_call_deadlines(client, store.call_deadline_s)
    return client


def _client(store: StoreSettings) -> Any:
    from google.cloud import firestore

    if store.emulator_host:
        from google.auth.credentials import AnonymousCredentials

        os.environ["FIRESTORE_EMULATOR_HOST"] = store.emulator_host
        return firestore.Client(
            project=store.project,
            database=store.database,
            credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        )
    if store.credentials_file:
        from google.oauth2 import service_account

        credentials = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
            store.credentials_file
        )
        return firestore.Client(
            project=store.project or credentials.project_id,
            database=store.database,
            credentials=credentials,
        )
    return firestore.Client(project=store.project, database=store.database)


def make_bucket(store: StoreSettings) -> Any | None:
    """The Cloud Storage bucket for attachments (``TICKETS_BUCKET``), or ``None`` when none
    is configured. On a local emulator (``STORAGE_EMULATOR_HOST``, a ``demo-`` project
    only) the bucket is created when missing; a real bucket must exist already."""
    if not store.bucket:
        return None
    check_emulator_project(store)
    from google.cloud import storage  # type: ignore[attr-defined]

    if store.storage_emulator_host:
        from google.auth.credentials import AnonymousCredentials

        endpoint = store.storage_emulator_host
        if not endpoint.startswith("http"):
            endpoint = f"http://{endpoint}"
        client = storage.Client(
            project=store.project,
            credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
            client_options={"api_endpoint": endpoint},
        )
        bucket = client.bucket(store.bucket)
        if not bucket.exists(timeout=store.call_deadline_s):
            client.create_bucket(store.bucket, timeout=store.call_deadline_s)
        return bucket
    if store.credentials_file:
        return storage.Client.from_service_account_json(store.credentials_file).bucket(store.bucket)
    return storage.Client(project=store.project).bucket(store.bucket)
