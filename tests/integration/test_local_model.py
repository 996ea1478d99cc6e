"""Against the real local model (SmolLM2 on llama.cpp's server, in process)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.local_server import LocalModelServer, resolve
from assistant.openai_model import OpenAIChatModel, make_client
from assistant.prompts import summary_messages
from assistant.summarizer import ModelSummarizer, SummaryCutOff
from memory.notes import parse_notes
from memory.prompt import ChatMessage
from memory.summary import SummaryRequest

pytestmark = pytest.mark.localmodel


@pytest.fixture(scope="module")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalModelServer]:
    server = LocalModelServer(resolve("smollm2", Path(tmp_path_factory.mktemp("models"))))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def model(local_server: LocalModelServer) -> OpenAIChatModel:
    client = make_client(
        local_server.api_key, local_server.base_url, connect_timeout_s=5, stall_timeout_s=60
    )
    return OpenAIChatModel(client, local_server.model.alias)


def test_server_listens_on_loopback_only(local_server: LocalModelServer) -> None:
    assert local_server.address.startswith("http://127.0.0.1:")


def test_streamed_reply_completes_with_stop_and_usage(model: OpenAIChatModel) -> None:
    stream = model.stream(
        [
            ChatMessage("system", "You are a helpful support assistant. Answer in one sentence."),
            ChatMessage("user", "Hi! Can you help me?"),
        ],
        max_tokens=200,
    )
    text = "".join(stream)
    assert text.strip()
    assert stream.result is not None
    assert stream.result.finish_reason == "stop"
    assert stream.result.usage is not None and stream.result.usage.prompt_tokens > 10
    assert stream.result.usage.completion_tokens > 0


def test_a_short_limit_ends_with_length(model: OpenAIChatModel) -> None:
    stream = model.stream([ChatMessage("user", "Write a long story about a kettle.")], max_tokens=5)
    "".join(stream)
    assert stream.result is not None and stream.result.finish_reason == "length"


def test_summary_call_returns_text(model: OpenAIChatModel) -> None:
    """The call works end to end; judging the summary's quality is the memory's job."""
    result = model.complete(
        summary_messages(
            SummaryRequest(
                previous_summary="",
                transcript=[
                    "#1 Customer: My kettle, order ORD-1234, leaks since Monday.",
                    "#2 Assistant: Sorry! Did you try descaling it?",
                    "#3 Customer: Yes, it still leaks.",
                ],
                max_tokens=300,
            )
        ),
        max_tokens=300,
        temperature=0.0,
    )
    assert result.text.strip() and result.finish_reason in ("stop", "length")
    assert result.usage is not None and result.usage.completion_tokens > 0


def test_local_token_count(local_server: LocalModelServer) -> None:
    assert local_server.count_tokens("hello world") == 2


def test_the_local_server_takes_the_notes_schema(model: OpenAIChatModel) -> None:
    """llama.cpp's server accepts ``response_format`` with the notes' JSON schema and holds
    the answer to it (SmolLM2 may still loop until ``max_tokens``: memory then counts a
    failure and, after the next one, folds extractively)."""
    summarizer = ModelSummarizer(model)
    request = SummaryRequest(
        "",
        ["#1 Customer: My kettle, order ORD-1234, leaks since Monday.", "#2 Assistant: Sorry!"],
        300,
    )
    try:
        text = summarizer.summarize(request)
    except SummaryCutOff:
        assert model.structured_output  # cut off inside the schema, not rejected
        return
    assert model.structured_output  # the server did not reject response_format
    assert text.lstrip().startswith("{")
    assert not parse_notes(text).empty


def _call(
    server: LocalModelServer, path: str, headers: dict[str, str], method: str = "POST"
) -> tuple[int, dict[str, str]]:
    body = {"model": server.model.alias, "messages": [{"role": "user", "content": "hi"}]}
    data = json.dumps(body | {"max_tokens": 2}).encode() if method == "POST" else None
    request = urllib.request.Request(  # noqa: S310 - the test's own loopback server
        server.address + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}


def test_only_this_process_can_use_the_server(local_server: LocalModelServer) -> None:
    """Another local user or program, without the key made at start, gets nothing."""
    for path, method in (
        ("/v1/chat/completions", "POST"),
        ("/v1/models", "GET"),
        ("/props", "GET"),
    ):
        assert _call(local_server, path, {}, method)[0] == 401, path
        assert _call(local_server, path, {"Authorization": "Bearer guess"}, method)[0] == 401
    assert _call(local_server, "/v1/chat/completions", local_server.auth_header)[0] == 200
    assert len(local_server.api_key) >= 32


def test_no_web_page_can_call_the_server(local_server: LocalModelServer) -> None:
    """No CORS: a page on any origin can't read an answer (even one that had the key)."""
    evil = {"Origin": "http://evil.example", **local_server.auth_header}
    _, headers = _call(local_server, "/v1/chat/completions", evil)
    assert headers.get("access-control-allow-origin", "") in ("", "null")
    preflight = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    _, headers = _call(local_server, "/v1/chat/completions", preflight, "OPTIONS")
    assert headers.get("access-control-allow-origin", "") in ("", "null")
    assert headers.get("access-control-allow-credentials", "false") == "false"
    status, _ = _call(local_server, "/", local_server.auth_header, "GET")
    assert status != 200  # and no built-in web UI
