"""firestore.rules for the knowledge base, with real rule evaluation on the emulator:
customers read public articles only, agents read all, nobody writes from a client."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.firestore import firestore_store
from storage.firestore.client import make_firestore_client
from storage.settings import StoreSettings
from tests.conftest import new_project_id
from tests.support.articles import save_articles
from tests.support.emulator import Emulator
from tests.support.rest_client import RestClient, load_rules

RULES = (Path(__file__).resolve().parents[2] / "firestore.rules").read_text()
pytestmark = pytest.mark.firestore


def test_customers_read_public_articles_only_and_nobody_writes(
    firestore_emulator: Emulator,
) -> None:
    project, host = new_project_id(), firestore_emulator.host
    load_rules(host, project, RULES)
    store = firestore_store(
        make_firestore_client(StoreSettings("firestore", project=project, emulator_host=host))
    )[0]
    save_articles(store.articles)
    ada = RestClient(host, project, "ada")
    kim = RestClient(host, project, "kim", {"role": "agent"})
    nobody = RestClient(host, project, None)
    assert ada.get("articles/refund-policy").status_code == 200
    assert ada.get("articles/refund-approval-limits").status_code == 403
    assert ada.get("articleChunks/refund-approval-limits--0").status_code == 403
    assert ada.query("", "articles", {"visibility": "public"}).status_code == 200
    assert ada.query("", "articles", {}).status_code == 403  # must filter on visibility
    assert kim.get("articles/refund-approval-limits").status_code == 200
    assert nobody.get("articles/refund-policy").status_code == 403
    write = ada.write("articles/refund-policy", {"title": "Free money"}, create=False)
    assert ada.commit(write).status_code == 403
    assert kim.commit(kim.write("articles/x", {"title": "x"}, create=True)).status_code == 403
