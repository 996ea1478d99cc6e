"""firestore.rules for the helpdesk's fields and collections (real rule evaluation): agents
set a valid priority, nobody but the server merges, files, ratings and search keys never
come from a client, and the helpdesk's own collections are server-only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.test_firestore_rules import World, denied, ok, post
from tests.rules.test_rules_validation import create, new_ticket
from tests.support.emulator import Emulator

pytestmark = pytest.mark.firestore


@pytest.fixture
def world(firestore_emulator: Emulator) -> World:
    return World(firestore_emulator)


def agent_sets(world: World, fields: dict[str, Any]) -> Any:
    kim = world.agent()
    write = kim.write(
        "tickets/tk-ada",
        fields,
        create=False,
        mask=tuple(fields),
        server_time=("changedAt",),
    )
    return kim.commit(write)


def test_agents_set_a_known_priority_and_never_merge(world: World) -> None:
    assert ok(agent_sets(world, {"priority": "urgent"}))
    assert denied(agent_sets(world, {"priority": "critical"}))
    assert denied(agent_sets(world, {"mergedInto": "tk-bob"}))
    ada = world.customer("ada")
    assert denied(
        ada.commit(
            ada.write("tickets/tk-ada", {"priority": "urgent"}, create=False, mask=("priority",))
        )
    )


@pytest.mark.parametrize(
    "forged", [{"priority": "urgent"}, {"priority": 3}, {"mergedInto": "tk-bob"}], ids=str
)
def test_a_customers_new_ticket_sets_no_priority_and_merges_nothing(
    world: World, forged: dict[str, Any]
) -> None:
    ada = world.customer("ada")
    assert ok(create(ada, new_ticket("tk-plain", priority="normal")))
    assert denied(create(ada, new_ticket("tk-forged", **forged)))


@pytest.mark.parametrize(
    "forged",
    [
        {
            "attachments": [
                {"id": "a-1", "name": "x.pdf", "contentType": "application/pdf", "size": 1}
            ]
        },
        {"rating": {"value": "up", "raterUid": "ada", "reason": ""}},
        {"searchKeys": ["tok:AAAA"]},
    ],
    ids=lambda forged: next(iter(forged)),
)
def test_files_ratings_and_search_keys_never_come_from_a_client(
    world: World, forged: dict[str, Any]
) -> None:
    ada = world.customer("ada")
    assert denied(post(ada, world, "tk-ada", author="ada", customize=lambda f: f.update(forged)))
    assert ok(post(ada, world, "tk-ada", author="ada", mid="m-fine"))


@pytest.mark.parametrize(
    "path",
    [
        "snippets/sn-x",
        "ratings/r-x",
        "csat/tk-ada",
        "feedbackCounts/2026-01-01",
        "sla/tk-ada",
        "triage/tk-ada",
    ],
)
def test_the_helpdesk_collections_are_server_only(world: World, path: str) -> None:
    from tickets.domain import utcnow
    from tickets.snippets import Snippet

    # something to read there: the server writes through the Admin SDK (rules don't apply)
    world.store.snippets.save(Snippet("x", "X", "Body", "kim", utcnow()))
    for client in (world.customer("ada"), world.agent()):
        assert denied(client.get(path))
        write = client.write(path, {"x": 1}, create=True)
        assert denied(client.commit(write))
