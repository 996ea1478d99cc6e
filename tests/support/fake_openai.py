"""An OpenAI-compatible HTTP server on 127.0.0.1 that misbehaves on cue.

Queue behaviours; each request takes the next one (or a plain reply when the queue is empty).
Every request is recorded, so a test can assert that none was made.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Behaviour:
    kind: str = "reply"  # reply | status | stall | cut
    text: str = "Hello from the fake server."
    finish_reason: str | None = "stop"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    stall_s: float = 0.0  # before the first byte (stall) or after the first chunk (cut)
    usage: bool = True
    chunk_delay_s: float = 0.0  # between streamed words: a slow model


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def reply(text: str = "Hello from the fake server.", finish: str | None = "stop") -> Behaviour:
    return Behaviour("reply", text, finish)


def status(code: int, headers: dict[str, str] | None = None, message: str = "error") -> Behaviour:
    body = {"error": {"message": message, "type": "error", "code": None}}
    return Behaviour("status", status=code, headers=headers or {}, body=body)


def slow(text: str, chunk_delay_s: float) -> Behaviour:
    """A complete reply streamed one word every ``chunk_delay_s`` (a slow local model)."""
    return Behaviour("reply", text, "stop", chunk_delay_s=chunk_delay_s)


def stall(seconds: float) -> Behaviour:
    return Behaviour("stall", stall_s=seconds)


def cut(text: str, after_s: float = 0.0) -> Behaviour:
    """Send ``text`` in chunks, then drop the connection (no finish_reason, no [DONE])."""
    return Behaviour("cut", text, None, stall_s=after_s)


class FakeOpenAIServer:
    def __init__(self) -> None:
        self.queue: list[Behaviour] = []
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(
                        Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    behaviour = server.queue.pop(0) if server.queue else Behaviour()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    server._serve(self, body, behaviour)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def streamed(self) -> list[Recorded]:
        """The requests for a streamed reply (what a customer or agent waits for), not the
        background ones (triage, summaries) that ask for a whole JSON answer."""
        with self._lock:
            return [r for r in self.requests if r.body.get("stream")]

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def push(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self.queue.extend(behaviours)

    # -- responses ------------------------------------------------------------------------

    def _serve(self, h: BaseHTTPRequestHandler, body: dict[str, Any], b: Behaviour) -> None:
        if b.kind == "status":
            payload = json.dumps(b.body).encode()
            h.send_response(b.status)
            for key, value in b.headers.items():
                h.send_header(key, value)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            h.wfile.write(payload)
            return
        if b.kind == "stall":
            time.sleep(b.stall_s)
            return
        if not body.get("stream"):
            self._complete(h, b)
            return
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.end_headers()
        words = b.text.split(" ")
        for i, word in enumerate(words):
            piece = word if i == 0 else " " + word
            self._event(
                h, {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            )
            if b.chunk_delay_s:
                time.sleep(b.chunk_delay_s)
            if b.kind == "cut" and i == len(words) // 2:
                time.sleep(b.stall_s)
                h.wfile.flush()
                h.connection.close()  # the connection drops mid-reply
                return
        if b.finish_reason is not None:
            self._event(
                h, {"choices": [{"index": 0, "delta": {}, "finish_reason": b.finish_reason}]}
            )
        if b.usage and body.get("stream_options", {}).get("include_usage"):
            self._event(h, {"choices": [], "usage": _usage(len(words))})
        h.wfile.write(b"data: [DONE]\n\n")
        h.wfile.flush()

    @staticmethod
    def _event(h: BaseHTTPRequestHandler, data: dict[str, Any]) -> None:
        chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0}
        chunk |= {"model": "fake"} | data
        h.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        h.wfile.flush()

    @staticmethod
    def _complete(h: BaseHTTPRequestHandler, b: Behaviour) -> None:
        payload = json.dumps(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 0,
                "model": "fake",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": b.text},
                        "finish_reason": b.finish_reason,
                    }
                ],
                "usage": _usage(len(b.text.split())),
            }
        ).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)


def _usage(completion: int) -> dict[str, int]:
    return {"prompt_tokens": 42, "completion_tokens": completion, "total_tokens": 42 + completion}
