"""The real thing in a real browser: Streamlit + Firestore emulator + an OIDC provider on
loopback + an OpenAI-compatible model server on loopback, driven by Debian's chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from storage.firestore import firestore_store
from storage.firestore.client import make_firestore_client
from storage.settings import StoreSettings
from tests.conftest import new_project_id
from tests.support.app_process import streamlit_command
from tests.support.emulator import Emulator, free_port
from tests.support.fake_openai import FakeOpenAIServer
from tests.support.gcs import StorageEmulator
from tickets.domain import Role, User
from tickets.store import Store
from ui.auth import identity_uid

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USERS = {
    "ada": {"sub": "ada", "email": "ada@example.com", "name": "Ada Lovelace"},
    "bob": {"sub": "bob", "email": "bob@example.com", "name": "Bob Marley"},
    "kim": {"sub": "kim", "email": "kim@support.example.com", "name": "Kim Park"},
    "eve": {"sub": "eve", "email": "eve@example.com", "name": "Eve Lane"},
    "lee": {"sub": "lee", "email": "lee@support.example.com", "name": "Lee Chen"},
    "dan": {"sub": "dan", "email": "dan@example.com", "name": "Dan Brown"},
}
AGENTS = ("kim", "lee")  # granted the agent role before the app starts
ARTIFACTS = ROOT / "test-artifacts"
BUCKET = "e2e-attachments"

pytestmark = pytest.mark.e2e


@dataclass
class Stack:
    app_url: str
    issuer: str
    store: Store
    model: FakeOpenAIServer
    project: str = ""
    emulator_host: str = ""
    storage_host: str = ""

    def uid(self, who: str) -> str:
        return identity_uid(self.issuer, who)


def wait_http(url: str, timeout: float, what: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer on {url} within {timeout:.0f} s")


def launch_streamlit(
    workdir: Path, env: dict[str, str], address: str, port: int, log: Path
) -> subprocess.Popen[bytes]:
    """The app as ``streamlit run`` serves it, listening on ``address``."""
    return subprocess.Popen(
        streamlit_command(address, port),
        cwd=workdir,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


@pytest.fixture(scope="session")
def stack(
    firestore_emulator: Emulator,
    storage_emulator: StorageEmulator,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("e2e")
    logs = ARTIFACTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    oidc_port, app_port = free_port(), free_port()
    issuer = f"http://127.0.0.1:{oidc_port}"
    oidc_cmd = [sys.executable, "-m", "oidc_provider_mock", "--port", str(oidc_port)]
    for claims in USERS.values():
        oidc_cmd += ["--user-claims", json.dumps(claims)]
    oidc = subprocess.Popen(
        oidc_cmd, stdout=(logs / "oidc.log").open("wb"), stderr=subprocess.STDOUT
    )
    model = FakeOpenAIServer().start()
    project = new_project_id()
    settings = StoreSettings("firestore", project=project, emulator_host=firestore_emulator.host)
    bucket = storage_emulator.bucket(project, BUCKET)  # attachments, as the app stores them
    store = firestore_store(make_firestore_client(settings), bucket=bucket)[0]
    for who in AGENTS:
        agent = USERS[who]
        store.users.save(User(identity_uid(issuer, who), Role.AGENT, agent["name"], agent["email"]))
    (workdir / ".streamlit").mkdir()
    shutil.copy(ROOT / ".streamlit" / "config.toml", workdir / ".streamlit" / "config.toml")
    (workdir / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        'cookie_secret = "e2e-cookie-secret-not-for-production"\n'
        'client_id = "ticket-assistant-e2e"\n'
        'client_secret = "e2e-secret"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
    )
    env = os.environ | {
        "TICKETS_STORE": "firestore",
        "FIRESTORE_EMULATOR_HOST": firestore_emulator.host,
        "GOOGLE_CLOUD_PROJECT": project,
        "OPENAI_API_KEY": "sk-e2e",
        "OPENAI_BASE_URL": model.base_url,
        "OPENAI_MODEL": "fake-model",
        "TICKETS_BUCKET": BUCKET,
        "STORAGE_EMULATOR_HOST": storage_emulator.host,
    }
    app = launch_streamlit(workdir, env, "127.0.0.1", app_port, logs / "streamlit.log")
    try:
        wait_http(f"{issuer}/.well-known/openid-configuration", 90, "the OIDC provider", oidc)
        wait_http(f"http://127.0.0.1:{app_port}/_stcore/health", 90, "Streamlit", app)
        yield Stack(
            f"http://127.0.0.1:{app_port}",
            issuer,
            store,
            model,
            project,
            firestore_emulator.host,
            storage_emulator.host,
        )
    finally:
        app.terminate()
        oidc.terminate()
        model.stop()
        app.wait(timeout=20)
        oidc.wait(timeout=20)


@pytest.fixture(scope="session")
def replica(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second Streamlit process on the same Firestore (another replica behind a load
    balancer): its URL. Same sign-in provider, same model server, its own port."""
    workdir = tmp_path_factory.mktemp("replica")
    port = free_port()
    (workdir / ".streamlit").mkdir()
    shutil.copy(ROOT / ".streamlit" / "config.toml", workdir / ".streamlit" / "config.toml")
    (workdir / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "e2e-cookie-secret-not-for-production"\n'
        'client_id = "ticket-assistant-e2e"\n'
        'client_secret = "e2e-secret"\n'
        f'server_metadata_url = "{stack.issuer}/.well-known/openid-configuration"\n'
    )
    env = os.environ | {
        "TICKETS_STORE": "firestore",
        "FIRESTORE_EMULATOR_HOST": stack.emulator_host,
        "GOOGLE_CLOUD_PROJECT": stack.project,
        "OPENAI_API_KEY": "sk-e2e",
        "OPENAI_BASE_URL": stack.model.base_url,
        "OPENAI_MODEL": "fake-model",
        "TICKETS_BUCKET": BUCKET,
        "STORAGE_EMULATOR_HOST": stack.storage_host,
    }
    log = ARTIFACTS / "logs" / "streamlit-replica.log"
    app = launch_streamlit(workdir, env, "127.0.0.1", port, log)
    try:
        wait_http(f"http://127.0.0.1:{port}/_stcore/health", 90, "the replica", app)
        yield f"http://127.0.0.1:{port}"
    finally:
        app.terminate()
        app.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/test.sh does).")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
