"""The AppTests' usual set-up: the app's services on the demo data (the long ticket with 80
messages) and a fake model. A module that needs another set-up defines its own fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from config.bootstrap import Services
from tests.support.apptest import app_services
from tests.support.fakes import FakeModel


@pytest.fixture
def model() -> FakeModel:
    return FakeModel()


@pytest.fixture
def services(tmp_path: Path, model: FakeModel) -> Iterator[Services]:
    with app_services(tmp_path, model, seed=80) as svc:
        yield svc
