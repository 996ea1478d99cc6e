"""One Firestore client per process, built from settings."""

from __future__ import annotations

import os
from typing import Any

from config.settings import StoreSettings, check_emulator_project


def make_firestore_client(store: StoreSettings) -> Any:
    """A ``google.cloud.firestore.Client``: anonymous on the emulator, ADC or a key file else."""
    from google.cloud import firestore

    check_emulator_project(store)
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
