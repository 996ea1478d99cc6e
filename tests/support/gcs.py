"""Start a local Cloud Storage server for the test session (PyPI ``gcp-storage-emulator``),
like the Firestore emulator: its own process on a free loopback port, in memory. The tests
fail (never skip) when it cannot start."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.firestore.client import make_bucket
from storage.settings import StoreSettings
from tests.support.emulator import free_port


class StorageEmulatorUnavailable(RuntimeError):
    pass


@dataclass
class StorageEmulator:
    host: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def bucket(self, project: str = "demo-files", name: str | None = None) -> Any:
        """A new, empty bucket (each test its own)."""
        settings = StoreSettings(
            "firestore",
            project=project,
            bucket=name or f"t-{uuid.uuid4().hex[:16]}",
            storage_emulator_host=self.host,
        )
        return make_bucket(settings)


def start_storage_emulator(log_dir: Path, timeout: float = 60) -> StorageEmulator:
    port = free_port()
    log_path = log_dir / f"storage-emulator-{port}.log"
    command = [
        sys.executable,
        "-m",
        "gcp_storage_emulator",
        "start",
        "--host=127.0.0.1",
        f"--port={port}",
        "--in-memory",
    ]
    process = subprocess.Popen(command, stdout=log_path.open("wb"), stderr=subprocess.STDOUT)
    emulator = StorageEmulator(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(emulator.host + "/", timeout=2) as resp:  # noqa: S310
                if resp.status == 200:
                    return emulator
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    emulator.stop()
    tail = log_path.read_text(errors="replace")[-2000:]
    raise StorageEmulatorUnavailable(
        f"the Cloud Storage emulator did not start on port {port} (is gcp-storage-emulator "
        f"installed? scripts/setup.sh --dev installs it)\n--- log ---\n{tail}"
    )
