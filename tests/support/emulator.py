"""Start the official Cloud Firestore emulator for the test session (never a fake)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

JAR_RELATIVE = "platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"
KNOWN_SDK_ROOTS = (
    "/usr/lib/google-cloud-sdk",
    "/usr/share/google-cloud-sdk",
    "/opt/google-cloud-sdk",
)


class EmulatorUnavailable(RuntimeError):
    pass


@dataclass
class Emulator:
    host: str
    process: subprocess.Popen[bytes] | None
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_jar() -> Path:
    explicit = os.environ.get("FIRESTORE_EMULATOR_JAR")
    if explicit:
        return Path(explicit)
    roots = list(KNOWN_SDK_ROOTS)
    if shutil.which("gcloud"):
        try:
            out = subprocess.run(
                ["gcloud", "info", "--format=value(installation.sdk_root)"],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            ).stdout.strip()
            if out:
                roots.insert(0, out)
        except (OSError, subprocess.TimeoutExpired):
            pass
    for root in roots:
        jar = Path(root) / JAR_RELATIVE
        if jar.is_file():
            return jar
    raise EmulatorUnavailable(
        "The Cloud Firestore emulator jar was not found (looked for "
        f"{JAR_RELATIVE} under {roots}). Install the Debian package "
        "google-cloud-cli-firestore-emulator, or set FIRESTORE_EMULATOR_JAR."
    )


def wait_ready(url: str, timeout: float, process: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise EmulatorUnavailable(f"the emulator exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as resp:  # noqa: S310
                if b"Ok" in resp.read():
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise EmulatorUnavailable(f"the emulator did not answer Ok on {url} within {timeout:.0f} s")


def start_emulator(log_dir: Path, rules: Path | None = None, timeout: float = 90) -> Emulator:
    """Start the emulator on a free loopback port and wait until it answers."""
    jar = find_jar()
    java = shutil.which("java")
    if java is None:
        raise EmulatorUnavailable("java is not installed; the emulator needs Java 17+")
    port = free_port()
    log_path = log_dir / f"firestore-emulator-{port}.log"
    command = [
        java,
        "-Duser.language=en",
        "-Xmx1g",
        "-cp",
        str(jar),
        "com.google.cloud.datastore.emulator.firestore.CloudFirestore",
        "--host=127.0.0.1",
        f"--port={port}",
        "--project_id=demo-ticket-assistant",
    ]
    if rules is not None:
        command.append(f"--rules={rules}")
    log = log_path.open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    emulator = Emulator(f"127.0.0.1:{port}", process, log_path)
    try:
        wait_ready(emulator.url, timeout, process)
    except EmulatorUnavailable as exc:
        emulator.stop()
        tail = log_path.read_text(errors="replace")[-2000:]
        raise EmulatorUnavailable(f"{exc}\n--- emulator log ---\n{tail}") from exc
    return emulator
