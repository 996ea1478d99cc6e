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
