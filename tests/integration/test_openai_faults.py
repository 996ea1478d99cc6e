"""Faults through a real HTTP boundary: the openai client against a misbehaving server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from assistant.errors import (
    BudgetExceeded,
    ContextTooLong,
    ModelAuthError,
    ModelBusy,
    ModelUnavailable,
)
from assistant.settings import BudgetSettings, ModelSettings
from config.bootstrap import Services, build_services
from config.settings import Settings
from memory.prompt import ChatMessage
from memory.tokens import CharCounter
from storage.sqlite import sqlite_store
from tests.support.fake_openai import FakeOpenAIServer, cut, reply, stall, status
from tests.support.users import ADA, KIM
from tickets.domain import Message, MessageStatus, Usage, utcnow


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer().start()
    yield fake
    fake.stop()


def services(server: FakeOpenAIServer, user_budget: int = 200_000) -> Services:
    settings = replace(
        Settings(),
        model=ModelSettings(
            api_key="sk-test-key",
            base_url=server.base_url,
            model="fake-model",
            stall_timeout_s=1.0,
            max_retry_after_s=2.0,
            retries=2,
        ),
        budget=BudgetSettings(user_tokens_per_period=user_budget),
    )
    store = sqlite_store(":memory:")
    for user in (ADA, KIM):
        store.users.save(user)
    return build_services(settings, store=store, counter=CharCounter(), run_later=lambda j: j())


@dataclass
class Outcome:
    text: str
    message: Message
    error: str
    ticket_id: str


def ask(svc: Services, text: str = "My kettle leaks") -> Outcome:
    ticket = svc.tickets.open_ticket(ADA, "Kettle", text)
    run = svc.assistant.reply(svc.tickets.access(ADA, ticket.id))
    assert run is not None
    streamed = "".join(run)
    assert run.message is not None
    return Outcome(streamed, run.message, run.error or "", ticket.id)


def test_streamed_reply_with_usage(server: FakeOpenAIServer) -> None:
    server.push(reply("Sorry about that, let me help."))
    out = ask(services(server))
    assert out.text == "Sorry about that, let me help."
    assert out.message.status is MessageStatus.COMPLETE
    assert out.message.usage == Usage(42, 6)
    [request] = server.requests
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    assert request.body["model"] == "fake-model"
    assert request.headers["authorization"] == "Bearer sk-test-key"


def test_short_retry_after_is_waited_out(server: FakeOpenAIServer) -> None:
    server.push(status(429, {"retry-after": "0.2"}), reply("Now it works."))
    out = ask(services(server))
    assert out.text == "Now it works." and len(server.requests) == 2


@pytest.mark.parametrize(("wait", "said"), [("120", "2 minutes"), ("600", "10 minutes")])
def test_long_retry_after_says_when_and_holds_retry_until_then(
    server: FakeOpenAIServer, wait: str, said: str
) -> None:
    server.push(status(429, {"retry-after": wait}))
    before = utcnow()
    out = ask(services(server))
    assert out.text == "" and len(server.requests) == 1  # no loop
    assert out.message.status is MessageStatus.FAILED
    assert "busy" in out.error and said in out.error and "try again in a minute" not in out.error
    retry_at = out.message.retry_at
    assert retry_at is not None
    assert abs((retry_at - before).total_seconds() - float(wait)) < 5
    assert f"{retry_at:%H:%M}" in out.error  # the time Retry works again


def test_server_errors_are_retried_then_reported(server: FakeOpenAIServer) -> None:
    server.push(status(500), reply("Recovered."))
    assert ask(services(server)).text == "Recovered."
    server.requests.clear()
    server.push(status(500), status(502), status(503))
    out = ask(services(server))
    assert out.text == "" and len(server.requests) == 3
    assert "not reachable" in out.error


def test_stall_before_the_first_token_is_a_timeout(server: FakeOpenAIServer) -> None:
    server.push(stall(3.0))
    svc = services(server)
    out = ask(svc)
    assert out.text == "" and out.message.status is MessageStatus.FAILED
    assert "took too long" in out.error
    assert len(server.requests) == 1  # a timeout is not retried behind the user's back


def test_stall_mid_stream_keeps_the_partial_text_as_truncated(server: FakeOpenAIServer) -> None:
    server.push(cut("one two three four five six", after_s=3.0))
    out = ask(services(server))
    assert out.text == "one two three four"
    assert out.message.status is MessageStatus.TRUNCATED
    assert out.message.text == "one two three four"


def test_dropped_connection_is_truncated(server: FakeOpenAIServer) -> None:
    server.push(cut("alpha beta gamma delta"))
    out = ask(services(server))
    assert out.text == "alpha beta gamma"
    assert out.message.status is MessageStatus.TRUNCATED
    assert "Retry" in out.error


@pytest.mark.parametrize("finish", [None, "length"])
def test_no_stop_finish_reason_is_truncated(server: FakeOpenAIServer, finish: str | None) -> None:
    server.push(reply("A reply without a proper ending", finish))
    out = ask(services(server))
    assert out.text == "A reply without a proper ending"
    assert out.message.status is MessageStatus.TRUNCATED


def test_truncated_reply_can_be_retried(server: FakeOpenAIServer) -> None:
    server.push(reply("Half", "length"), reply("The whole answer."))
    svc = services(server)
    out = ask(svc)
    again = svc.assistant.retry(svc.tickets.access(ADA, out.ticket_id), out.message.id)
    assert again is not None and "".join(again) == "The whole answer."
    assert again.message is not None and again.message.status is MessageStatus.COMPLETE


def test_bad_key_and_context_too_long(server: FakeOpenAIServer) -> None:
    svc = services(server)
    messages = [ChatMessage("user", "hi")]
    server.push(status(401, message="Incorrect API key"))
    with pytest.raises(ModelAuthError, match="OPENAI_API_KEY"):
        svc.model.complete(messages, max_tokens=10)
    server.push(status(400, message="This model's maximum context length is 4096 tokens"))
    with pytest.raises(ContextTooLong):
        svc.model.complete(messages, max_tokens=10)
    server.push(status(404, message="model not found"))
    with pytest.raises(ModelUnavailable, match="OPENAI_MODEL"):
        svc.model.complete(messages, max_tokens=10)
    server.push(status(429, {"retry-after": "60"}))
    with pytest.raises(ModelBusy):
        svc.model.complete(messages, max_tokens=10)
    assert len(server.requests) == 4


def test_at_the_budget_cap_no_request_reaches_the_server(server: FakeOpenAIServer) -> None:
    svc = services(server, user_budget=10)
    ticket = svc.tickets.open_ticket(ADA, "Kettle", "It leaks")
    svc.budget.charge(ADA.uid, ticket.id, Usage(10, 0))
    with pytest.raises(BudgetExceeded):
        svc.assistant.reply(svc.tickets.access(ADA, ticket.id))
    assert server.requests == []


def test_secret_is_not_in_settings_repr(server: FakeOpenAIServer) -> None:
    svc = services(server)
    assert "sk-test-key" not in repr(svc.settings)
