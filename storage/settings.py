"""Where the data lives: the store's own settings type."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.errors import ConfigError


@dataclass(frozen=True)
class StoreSettings:
    backend: str = "sqlite"  # TICKETS_STORE: a subpackage of ``storage``
    project: str | None = None
    emulator_host: str | None = None
    database: str = "(default)"
    credentials_file: str | None = None
    data_dir: Path = Path("data")
    call_deadline_s: float = 10.0  # an unreachable database fails a request after this long
    bucket: str | None = None  # TICKETS_BUCKET: Cloud Storage for attachments (with Firestore)
    storage_emulator_host: str | None = None  # STORAGE_EMULATOR_HOST: a local Cloud Storage

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "tickets.db"

    @property
    def firestore_configured(self) -> bool:
        return bool(self.emulator_host or self.credentials_file or self.project or self.bucket)


def check_emulator_project(store: StoreSettings) -> None:
    """Emulator settings against a real project id could write test data to production."""
    emulated = store.emulator_host or store.storage_emulator_host
    if emulated and not (store.project or "").startswith("demo-"):
        raise ConfigError(
            "FIRESTORE_EMULATOR_HOST or STORAGE_EMULATOR_HOST is set but the project id is "
            f"{store.project!r}. "
            "Emulator runs must use a project id starting with 'demo-' "
            "(set GOOGLE_CLOUD_PROJECT=demo-ticket-assistant), or unset FIRESTORE_EMULATOR_HOST."
        )
