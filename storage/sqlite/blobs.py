"""Attachments' bytes in the embedded store: files under the data directory
(``attachments/tickets/{id}/attachments/{file}``), sealed, readable by their owner only."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from storage.sealing import Sealer
from tickets.errors import StoreUnavailable


class LocalBlobs:
    name = "attachments"  # also the attachments' eraser (tickets.store.Eraser)

    def __init__(self, root: Path, sealer: Sealer) -> None:
        self.root, self.sealer = root.resolve(), sealer

    @property
    def available(self) -> bool:
        return True

    def _file(self, path: str) -> Path:
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root) or ".." in path.split("/"):
            raise ValueError(f"not an attachment path: {path!r}")
        return target

    def put(self, path: str, data: bytes, content_type: str) -> None:
        target = self._file(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
            with os.fdopen(fd, "wb") as fh:  # mkstemp: mode 0600
                fh.write(self.sealer.seal_bytes(path, data))
            os.replace(tmp, target)  # whole or not at all
        except OSError as exc:
            raise StoreUnavailable(f"could not write the file ({exc.strerror})") from exc

    def get(self, path: str) -> bytes | None:
        try:
            blob = self._file(path).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreUnavailable(f"could not read the file ({exc.strerror})") from exc
        return self.sealer.open_bytes(path, blob)

    def delete(self, path: str) -> None:
        self._file(path).unlink(missing_ok=True)

    def erase_ticket(self, ticket_id: str) -> int:
        folder = self._file(f"tickets/{ticket_id}")
        if not folder.is_dir():
            return 0
        count = sum(1 for f in folder.rglob("*") if f.is_file())
        shutil.rmtree(folder)
        return count

    def erase_user(self, uid: str) -> int:
        return 0  # files live under their tickets
