"""The summary request through a real HTTP boundary: JSON schema via ``response_format``,
and the fallback for a server that rejects it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from assistant.openai_model import OpenAIChatModel, make_client
from assistant.summarizer import ModelSummarizer
from memory.notes import SCHEMA, parse_notes
from memory.summary import SummaryRequest
from tests.support.fake_openai import FakeOpenAIServer, reply, status
from tickets.domain import Usage

REQUEST = SummaryRequest("", ["#1 Customer: my kettle KTL-2000X leaks", "#2 Assistant: sorry"], 200)
NOTES = {
    "problem": "The KTL-2000X kettle leaks.",
    "key_facts": ["KTL-2000X"],
    "tried": [],
    "promises": [],
    "open_questions": ["refund or replacement?"],
    "next_step": "Ask for a photo.",
}


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer().start()
    yield fake
    fake.stop()


def summarizer(server: FakeOpenAIServer, charged: list[Usage]) -> ModelSummarizer:
    client = make_client("sk-test", server.base_url, connect_timeout_s=2, stall_timeout_s=2)
    model = OpenAIChatModel(client, "fake-model", sleep=lambda s: None)
    return ModelSummarizer(model, on_usage=charged.append)


def test_the_summary_is_asked_for_with_the_json_schema(server: FakeOpenAIServer) -> None:
    server.push(reply(json.dumps(NOTES)))
    charged: list[Usage] = []
    text = summarizer(server, charged).summarize(REQUEST)
    body = server.requests[-1].body
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == SCHEMA
    assert body["temperature"] == 0.0
    assert parse_notes(text).key_facts == ("KTL-2000X",)
    assert len(charged) == 1


def test_a_server_that_rejects_response_format_is_asked_without_it(
    server: FakeOpenAIServer,
) -> None:
    server.push(
        status(400, message="Unrecognized request argument supplied: response_format"),
        reply("Problem: the kettle KTL-2000X leaks.\nNext step: ask for a photo."),
        reply("The customer's kettle still leaks."),
    )
    charged: list[Usage] = []
    summarize = summarizer(server, charged)
    notes = parse_notes(summarize.summarize(REQUEST))
    assert notes.problem == ("the kettle KTL-2000X leaks.",)
    assert [("response_format" in r.body) for r in server.requests] == [True, False]
    assert len(charged) == 1  # the rejected request reported no usage and is not charged
    assert parse_notes(summarize.summarize(REQUEST)).summary  # prose, parsed leniently
    assert "response_format" not in server.requests[-1].body  # not offered again


def test_other_errors_are_not_taken_for_a_missing_feature(server: FakeOpenAIServer) -> None:
    server.push(status(401, message="Incorrect API key"))
    with pytest.raises(Exception, match="key"):
        summarizer(server, []).summarize(REQUEST)
    assert len(server.requests) == 1
